"""Small-cell suppression that survives subtraction: the one rule of every published table.

A table of counts about people is published with its total. A cell of fewer than k
people is hidden ("below"). Hiding it is not enough: the total minus the shown cells
gives the hidden cells' sum, so while that sum could still point at a small group
(a single hidden cell gives itself away; two tiny ones add up to fewer than k
people), the smallest shown cell is withheld too ("withheld"). Empty cells are no
one and are shown as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

CellState = Literal["shown", "below", "withheld"]


def suppress(sizes: Sequence[int], threshold: int, hidden: Iterable[int] = ()) -> list[CellState]:
    """Which cells of a table may be shown, given the number of people in each cell.

    `hidden` holds indexes hidden for another reason (in a column of readers, the
    groups whose recipients are already fewer than k), counted as "below".
    """
    states: list[CellState] = ["below" if 0 < size < threshold else "shown" for size in sizes]
    for index in hidden:
        states[index] = "below"
    while True:
        concealed = [i for i, state in enumerate(states) if state != "shown"]
        if not concealed or (sum(sizes[i] for i in concealed) >= threshold and len(concealed) >= 2):
            return states
        shown = [i for i, state in enumerate(states) if state == "shown" and sizes[i] > 0]
        if not shown:
            return states
        states[min(shown, key=lambda i: (sizes[i], i))] = "withheld"


def suppressed_column(
    values: Sequence[int], threshold: int, hidden: Iterable[int] = ()
) -> list[int | None]:
    """The column with every cell that may not be shown replaced by None."""
    states = suppress(values, threshold, hidden)
    return [v if state == "shown" else None for v, state in zip(values, states, strict=True)]
