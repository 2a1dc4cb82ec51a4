"""What a public request showed of its visitor, for the services that tell robots from
people (an awareness page, a simulation's link) without being handed the request.

Only the method, the client's address and the HTTP headers are kept: no cookie, no
session, no body. Nothing here is stored; the services keep what they always kept
(a reason, a keyed hash of the address or of the browser).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True, slots=True)
class Visit:
    method: str = "GET"
    # REMOTE_ADDR and the HTTP_* headers, named as in Django's `request.META`.
    meta: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Visit:
        meta = {
            name: value
            for name, value in request.META.items()
            if (name.startswith("HTTP_") and name != "HTTP_COOKIE") or name == "REMOTE_ADDR"
        }
        return cls(method=request.method or "GET", meta=meta)
