"""Which sources a shipped capsule may show to practitioners.

Readers see only primary or official texts (the CNIL, the ANS, Cybermalveillance.gouv.fr,
Légifrance, ministries, EU law). Press articles, relays and other working notes that
helped write a capsule stay in its `research_notes`, and the fact-base entries it relies on
in its `fact_keys`: both are never loaded or shown.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# A host is official when it is one of these or one of their subdomains.
OFFICIAL_DOMAINS = (
    "gouv.fr",
    "cnil.fr",
    "ameli.fr",
    "service-public.fr",
    "europa.eu",
    "signal-spam.fr",
    "phishing-initiative.fr",
)


def official_host(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host.endswith(".") or ".." in host:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)


def source_problems(sources: list[dict[str, Any]]) -> list[str]:
    """Each shown source that is not a primary or official text, in words."""
    return [
        f"source {source.get('title')!r} is not an official or primary text "
        f"({source.get('url')}): move it to research_notes"
        for source in sources
        if not official_host(str(source.get("url", "")))
    ]
