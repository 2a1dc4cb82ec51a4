"""How django-axes names the account behind a sign-in attempt."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email address tried, normalised so that case changes do not reset the count.

    Django's sign-in form passes the address under the user model's USERNAME_FIELD
    ("email"), which axes would not find under its default "username" key.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("username")
    return str(value).strip().lower() if value else None


# --- Password reset requests --------------------------------------------------------

RESET_WINDOW_SECONDS = 3600
# One forgotten password rarely needs more than a few messages an hour.
RESET_PER_ADDRESS = 3
# Staff of one office may share an internet connection.
RESET_PER_CLIENT = 20


def _reset_key(kind: str, value: str) -> str:
    # Keyed hashes: no address is kept in clear, even in a shared cache.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"reset:{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"accounts:reset:{kind}:{digest[:32]}"


def _count(key: str) -> int:
    """Add one to the counter of `key` (fixed window) and return the new value."""
    if cache.add(key, 1, timeout=RESET_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=RESET_WINDOW_SECONDS)
        return 1


def allow_reset_request(*, address: str, client: str) -> bool:
    """Count one request for the address and for the client; False once either is over
    its limit. Both are counted whether the address belongs to an account or not."""
    per_address = _count(_reset_key("address", address))
    per_client = _count(_reset_key("client", client))
    return per_address <= RESET_PER_ADDRESS and per_client <= RESET_PER_CLIENT
