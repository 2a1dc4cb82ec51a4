"""Rate limits of the sign-in link form, per email address and per client address.

Counts live in Django's cache (HYGIE_CACHE_URL): with a Redis server every web
process counts together; without one (the embedded default) each process keeps its
own count, so an address may get up to (number of processes) × the limit.

Windows are fixed (they start at the first request). Cache keys are keyed hashes,
so no address is kept in clear even in a shared cache.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
# A person rarely needs more than a couple of links an hour.
PER_ADDRESS = 5
# Several people of one practice may share an internet connection.
PER_CLIENT = 30


def _key(kind: str, value: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"portal:{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"portal:rate:{kind}:{digest[:32]}"


def _count(key: str) -> int:
    """Add one to the counter of `key` and return the new value."""
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def allow_link_request(*, address: str, client: str) -> bool:
    """Count one request for the (normalised) address and the client address; False
    once either is over its limit. Both are always counted, known address or not."""
    per_address = _count(_key("address", address))
    per_client = _count(_key("client", client))
    return per_address <= PER_ADDRESS and per_client <= PER_CLIENT
