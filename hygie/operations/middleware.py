"""Serve the public tracking URLs, and only them, on the tracking host names; give French
pages their typography.

Every answer there carries the same cache policy and the same Vary, whether the
token is real or not: a header that differs would tell a scanner which tokens exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from hygie.lib.typography import french_html

# Everything any tracking page may vary on (the landing page adapts to phones and
# to the language), announced on every answer alike.
TRACKING_VARY = "User-Agent, Sec-CH-UA-Mobile, Accept-Language, Cookie"
# Answers that hold no token (a script shared by a campaign) may keep their caching.
TOKEN_FREE_VIEWS = {"presence_script"}


class HostRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.tracking_hosts = {host.lower() for host in settings.TRACKING_HOSTS}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        if host not in self.tracking_hosts:
            return self.get_response(request)
        request.urlconf = settings.TRACKING_URLCONF
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in TOKEN_FREE_VIEWS:
            return response
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = TRACKING_VARY
        for name in ("Expires", "ETag", "Last-Modified"):
            if response.has_header(name):
                del response[name]
        return response


class FrenchTypographyMiddleware:
    """Every French HTML page leaves with French typography (see hygie.lib.typography).

    Placed before LocaleMiddleware, so that the response already says its language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or not response.get("Content-Language", "").startswith("fr")
            or response.status_code in (204, 304)
        ):
            return response
        charset = response.charset or "utf-8"
        html = response.content.decode(charset)
        response.content = french_html(html).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
