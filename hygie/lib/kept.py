"""Values a process keeps for a few seconds, so that hot endpoints do not read or
compute the same thing on every request.

Bounded by a count rather than evicted one by one: when full, everything is dropped
(robots trying made-up keys must not grow a process's memory, and the next request
simply reads again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


class Kept[K: Hashable, V]:
    def __init__(self, *, seconds: float, most: int) -> None:
        self.seconds = seconds
        self.most = most
        self._values: dict[K, tuple[float, V]] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value kept for `key`, or `compute()`'s, kept for `seconds`."""
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = compute()
        if len(self._values) >= self.most:
            self._values.clear()
        self._values[key] = (now + self.seconds, value)
        return value

    def forget(self, key: K | None = None) -> None:
        """Drop `key`'s value, or every value."""
        if key is None:
            self._values.clear()
        else:
            self._values.pop(key, None)
