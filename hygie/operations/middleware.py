"""Serve the public tracking URLs, and only them, on the tracking host names."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class HostRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.tracking_hosts = {host.lower() for host in settings.TRACKING_HOSTS}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        if host in self.tracking_hosts:
            request.urlconf = settings.TRACKING_URLCONF
        return self.get_response(request)
