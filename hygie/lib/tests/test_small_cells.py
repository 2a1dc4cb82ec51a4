"""The one small-cell rule: nothing hidden can be worked out from the totals shown."""

from __future__ import annotations

import random

import pytest

from hygie.lib.small_cells import suppress, suppressed_column


def recoverable(sizes: list[int], states: list[str], threshold: int) -> bool:
    """What an attacker learns from the total: the sum of the hidden cells."""
    hidden = [size for size, state in zip(sizes, states, strict=True) if state != "shown"]
    if not hidden:
        return False
    # One hidden cell is given away; several add up to a group still smaller than k.
    return len(hidden) == 1 or sum(hidden) < threshold


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([10, 8, 2], ["shown", "withheld", "below"]),  # 2 = 20 − 18 without the withheld cell
        ([10, 1, 1], ["withheld", "below", "below"]),  # 1 + 1 < 3: still a tiny group
        ([10, 2, 2], ["shown", "below", "below"]),  # 4 people hidden together: safe
        ([10, 8, 0], ["shown", "shown", "shown"]),  # an empty cell is no one
        ([2], ["below"]),
    ],
)
def test_complementary_suppression(sizes, expected):
    assert suppress(sizes, 3) == expected


def test_no_random_table_gives_a_small_group_away():
    rng = random.Random(7)
    for _ in range(2000):
        threshold = rng.randint(2, 10)
        sizes = [rng.choice([0, 1, 2, 3, 5, 8, 13, 40]) for _ in range(rng.randint(1, 8))]
        states = suppress(sizes, threshold)
        assert all(
            state != "shown"
            for size, state in zip(sizes, states, strict=True)
            if 0 < size < threshold
        )
        total = sum(sizes)
        if total >= threshold and sum(1 for s in sizes if s) > 1:
            assert not recoverable(sizes, states, threshold), (sizes, threshold, states)


@pytest.mark.parametrize(
    ("values", "k", "expected"),
    [
        ([10, 8, 6], 5, [10, 8, 6]),
        # One small cell: the next smallest goes too, or total - others would give it.
        ([10, 8, 3], 5, [10, None, None]),
        # Two small cells adding up to less than k: a third one is hidden.
        ([10, 8, 1, 1], 5, [10, None, None, None]),
        ([10, 8, 3, 2], 5, [10, 8, None, None]),
        ([0, 12], 5, [0, 12]),
    ],
)
def test_suppression_of_a_column(values, k, expected):
    assert suppressed_column(values, k) == expected


def test_no_hidden_cell_can_be_recovered_from_the_totals():
    values = [40, 12, 7, 4, 0, 2]
    shown = suppressed_column(values, 5)
    hidden = [v for v, s in zip(values, shown, strict=True) if s is None]
    assert all(s is None for v, s in zip(values, shown, strict=True) if 0 < v < 5)
    assert len(hidden) >= 2 and sum(hidden) >= 5


def test_cells_hidden_for_another_reason_count_as_hidden():
    # Readers per group: the second group has fewer than k recipients, so its
    # readers are hidden whatever their number, and their complement with them.
    assert suppress([9, 0, 7], 5, hidden=[1]) == ["shown", "below", "withheld"]
    assert suppressed_column([9, 0, 7], 5, hidden=[1]) == [9, None, None]
