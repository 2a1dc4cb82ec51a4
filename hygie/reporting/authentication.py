"""SPF, DKIM and DMARC verdicts from Authentication-Results headers (RFC 8601)."""

from __future__ import annotations

import re

_AUTH = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def authentication_results(headers: list[tuple[str, str]]) -> dict[str, str]:
    """SPF/DKIM/DMARC verdicts as the receiving server wrote them (first one wins)."""
    results: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != "authentication-results":
            continue
        for method, verdict in _AUTH.findall(value):
            results.setdefault(method.lower(), verdict.lower())
    return results
