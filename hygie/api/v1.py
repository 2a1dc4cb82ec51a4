"""The versioned REST API: /api/v1/, documented by its generated OpenAPI schema."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hygie.api import campaigns, desk, people
from hygie.api.auth import RateLimited, TokenAuth
from hygie.api.errors import field_error

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

# ninja's own refusal of a body that is not JSON (its English text, then details in DEBUG).
UNPARSABLE_BODY = "Cannot parse request body"


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


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [field_error(error) for error in exc.errors]
    return api.create_response(
        request, {"detail": _("Some values are not valid."), "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith(UNPARSABLE_BODY):
        detail = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)
