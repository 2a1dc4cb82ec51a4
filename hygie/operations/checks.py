"""Start-up checks: a broken configuration stops `manage.py check` and every process."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from hygie.lib.env import LOCAL_CACHE


def _valid_base_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and parts.path in {"", "/"}


@register(Tags.compatibility)
def check_hygie_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for name in ("PUBLIC_BASE_URL", "TRACKING_BASE_URL"):
        value = getattr(settings, name)
        if not _valid_base_url(value):
            problems.append(
                Error(
                    f"HYGIE_{name}={value!r} is not a base URL such as https://hygie.example.org",
                    id="hygie.E001",
                )
            )
    public_host = urlsplit(settings.PUBLIC_BASE_URL).hostname or ""
    if public_host.lower() in {h.lower() for h in settings.TRACKING_HOSTS}:
        problems.append(
            Error(
                "The console host is also listed in HYGIE_TRACKING_HOSTS: simulation pages would "
                "share the console's cookies. Use separate host names.",
                id="hygie.E002",
            )
        )
    options: dict[str, object] = settings.MAILERS["default"].get("OPTIONS", {})  # type: ignore[assignment]
    if options.get("use_tls") and options.get("use_ssl"):
        problems.append(
            Error("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.", id="hygie.E003")
        )
    if not settings.DEBUG and not settings.PUBLIC_BASE_URL.startswith("https://"):
        problems.append(
            Warning(
                "HYGIE_PUBLIC_BASE_URL does not use https: staff sessions would travel in clear.",
                id="hygie.W001",
            )
        )
    if not settings.DEBUG and settings.CACHES["default"]["BACKEND"] == LOCAL_CACHE:
        problems.append(
            Warning(
                "Rate limits of the public pages are counted per process: with several web "
                "processes, each allows the full limit. Set HYGIE_CACHE_URL=redis://… to share "
                "them.",
                id="hygie.W002",
            )
        )
    return problems
