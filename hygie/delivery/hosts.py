"""The hosts a simulation's links may point at.

The platform serves tracked links on its tracking hosts (HYGIE_TRACKING_HOSTS). A
campaign uses the default one (HYGIE_TRACKING_BASE_URL) or a tracking host that is one
of its organisation's simulation domains (or under one): a host shared by every
organisation must not reveal another organisation's look-alike domains.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from hygie.delivery.models import SendingProfile


def default_host() -> str:
    return (urlsplit(settings.TRACKING_BASE_URL).hostname or "localhost").lower()


def landing_hosts(profile: SendingProfile) -> list[str]:
    """The hosts a campaign of the profile's organisation may use, the default first."""
    default = default_host()
    domains = profile.simulation_domains
    own = [
        host.lower()
        for host in settings.TRACKING_HOSTS
        if host.lower() != default
        and any(host.lower() == d or host.lower().endswith("." + d) for d in domains)
    ]
    return [default, *dict.fromkeys(own)]


def landing_base(host: str) -> str:
    """Scheme, host and port of the links on `host` (scheme and port of the default)."""
    parts = urlsplit(settings.TRACKING_BASE_URL)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
