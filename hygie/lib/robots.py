"""Telling link scanners and previewers from people on public pages.

Mail security gateways fetch every link of a message before (or instead of) the
recipient. Their visits are kept, flagged with a reason, and left out of rates.
"""

from __future__ import annotations

from hygie.lib.visits import Visit

AUTOMATED_AGENTS = (
    "bot",
    "crawler",
    "spider",
    "preview",
    "scanner",
    "safelinks",
    "proofpoint",
    "mimecast",
    "barracuda",
    "python-requests",
    "curl/",
    "wget/",
    "go-http-client",
    "headlesschrome",
    "microsoft office",
    "outlook-ios",
    "googleimageproxy",
    "yahoomailproxy",
)


def automated_reason(visit: Visit) -> str:
    if visit.method == "HEAD":
        return "HEAD request"
    agent = visit.meta.get("HTTP_USER_AGENT", "").lower()
    if not agent:
        return "no user agent"
    for marker in AUTOMATED_AGENTS:
        if marker in agent:
            return f"user agent: {marker}"
    return ""
