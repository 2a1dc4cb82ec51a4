"""Bearer-token authentication of the API, with scopes and a per-token rate limit."""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from hygie.accounts.actors import Actor, client_ip
from hygie.api.models import ApiToken
from hygie.api.scopes import Scope
from hygie.api.selectors import TOKEN_MARK, hash_secret
from hygie.api.services import api_token_record_use


def token_for(raw: str) -> ApiToken | None:
    """The usable token `raw` stands for, or None (unknown, revoked, expired, malformed)."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK:
        return None
    _mark, prefix, secret = parts
    token = (
        ApiToken.objects.select_related("organisation", "created_by")
        .filter(prefix=prefix, organisation__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token if token.is_usable() else None


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _count_call(token: ApiToken) -> None:
    """A fixed one-minute window per token, counted atomically in the shared cache."""
    now = time.time()
    key = f"api:calls:{token.pk}:{int(now // 60)}"
    cache.add(key, 0, timeout=60)
    try:
        calls = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=60)
        calls = 1
    if calls > settings.API_CALLS_PER_MINUTE:
        raise RateLimited(retry_after=60 - int(now % 60))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is not None:
            _count_call(found)
            api_token_record_use(
                token=found,
                actor=Actor.api_token(found, client_ip(request)),
                method=request.method or "",
                path=request.path,
            )
        return found


def require(request: HttpRequest, scope: Scope) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope.value not in token.scopes:
        raise HttpError(403, _("This token lacks the scope “%(scope)s”.") % {"scope": scope.value})
    return token


def organisation_of(request: HttpRequest) -> Any:
    return request.auth.organisation  # type: ignore[attr-defined]


def actor_of(request: HttpRequest) -> Actor:
    """The token that made this call, as the audit records it (with the caller's address)."""
    return Actor.api_token(request.auth, client_ip(request))  # type: ignore[attr-defined]
