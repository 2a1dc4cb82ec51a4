"""The versioned REST API: /api/v1/, documented by its generated OpenAPI schema."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hygie.api import campaigns, desk, people
from hygie.api.auth import RateLimited, TokenAuth

api = NinjaAPI(
    title="Hygie API",
    version="1",
    description=(
        "Members, segments, campaigns, results, reports and incidents of one organisation. "
        "Authenticate with `Authorization: Bearer <token>`; a token is created by an "
        "administrator in the console, with the scopes it needs. Error messages follow "
        "`Accept-Language` (French or English)."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url=None,  # the console renders the schema itself: no asset from another site
    openapi_url="/openapi.json",
)
api.add_router("", people.router)
api.add_router("", campaigns.router)
api.add_router("", desk.router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("A valid API token is required.")}, status=401)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("Too many calls for this token: wait a minute.")}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _field_name(location: tuple[object, ...] | list[object]) -> str:
    """`("body", "payload", "rows", 3, "email")` → `rows.3.email`; `("query", "limit")` →
    `limit`: the name a caller wrote, without where ninja found it."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts[:1] in (["query"], ["path"]):
        parts = parts[1:]
        if parts[:1] == ["filters"]:
            parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, object]) -> str:
    """The validator's message, in the caller's language where we know its kind."""
    context = error.get("ctx")
    expected = context.get("expected") if isinstance(context, dict) else None
    if error.get("type") in {"enum", "literal_error"} and isinstance(expected, str):
        values = ", ".join(re.findall(r"'([^']*)'", expected))
        return _("Choose one of: %(values)s.") % {"values": values}
    if error.get("type") == "missing":
        return _("This value is required.")
    return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(error.get("loc", ())), "message": _message(error)}
        for error in exc.errors
    ]
    return api.create_response(
        request, {"detail": _("Some values are not valid."), "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
