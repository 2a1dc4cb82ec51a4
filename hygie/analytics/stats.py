"""Rates with their interval (small-cell suppression is `hygie.lib.small_cells`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from hygie.phishing.selectors import wilson


@dataclass(frozen=True)
class Rate:
    """`count` out of `total` people, with its 95 % Wilson interval (in percent)."""

    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.total, 1) if self.total else None

    @cached_property
    def _interval(self) -> tuple[float | None, float | None]:
        return wilson(self.count, self.total) if self.total else (None, None)

    @property
    def low(self) -> float | None:
        return self._interval[0]

    @property
    def high(self) -> float | None:
        return self._interval[1]
