"""Console pages hold personal data: no browser or proxy may keep a copy by default.

A shared computer's back button or disk cache, or a proxy on the way, must not
serve the audience list or a person's page to the next user. Every response of the
console, the admin and the personal space therefore says `Cache-Control: private,
no-store` unless its view chose a policy of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PRIVATE_PREFIXES = ("/console/", "/admin/", "/espace/")
# Pages reached through a personal token on the public host (capsule links and their
# pixel): a real and a forged token must get the same headers, whatever each view set.
TOKEN_PREFIXES = ("/c/",)
CAPSULE_LINK_VARY = "Accept-Language, Cookie"


class PrivatePagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(TOKEN_PREFIXES):
            response["Cache-Control"] = "private, no-store"
            response["Vary"] = CAPSULE_LINK_VARY
        elif request.path.startswith(PRIVATE_PREFIXES) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
