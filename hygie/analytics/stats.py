"""Rates with their interval, and small-cell suppression that survives subtraction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

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


CellState = Literal["shown", "below", "withheld"]


def suppress(sizes: Sequence[int], threshold: int) -> list[CellState]:
    """Which cells of a table may be shown, given the group size of each cell.

    A cell of fewer than `threshold` people is hidden ("below"). The table's total is
    shown alongside, so the hidden cells' sum can be worked out by subtraction: while
    that sum covers fewer than `threshold` people (one hidden cell gives itself away;
    two tiny ones give away a group still under k), the smallest shown cell is withheld
    too. Empty cells are no one and are never hidden.
    """
    states: list[CellState] = ["below" if 0 < size < threshold else "shown" for size in sizes]
    while True:
        hidden = [i for i, state in enumerate(states) if state != "shown"]
        hidden_people = sum(sizes[i] for i in hidden)
        if not hidden or (hidden_people >= threshold and len(hidden) >= 2):
            return states
        shown = [i for i, state in enumerate(states) if state == "shown" and sizes[i] > 0]
        if not shown:
            return states
        states[min(shown, key=lambda i: (sizes[i], i))] = "withheld"
