import datetime as dt

import pytest

from hygie.lib.dates import months_after, months_before

UTC = dt.UTC


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (
            dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
            1,
            dt.datetime(2026, 2, 15, 9, 30, tzinfo=UTC),
        ),
        (dt.datetime(2026, 1, 31, tzinfo=UTC), 1, dt.datetime(2026, 2, 28, tzinfo=UTC)),
        (
            dt.datetime(2028, 1, 31, tzinfo=UTC),
            1,
            dt.datetime(2028, 2, 29, tzinfo=UTC),
        ),  # leap year
        (dt.datetime(2026, 11, 30, tzinfo=UTC), 2, dt.datetime(2027, 1, 30, tzinfo=UTC)),
        (dt.datetime(2026, 3, 31, tzinfo=UTC), -1, dt.datetime(2026, 2, 28, tzinfo=UTC)),
        (dt.datetime(2026, 1, 10, tzinfo=UTC), -24, dt.datetime(2024, 1, 10, tzinfo=UTC)),
        (dt.datetime(2026, 12, 1, tzinfo=UTC), 0, dt.datetime(2026, 12, 1, tzinfo=UTC)),
    ],
)
def test_months_after(start, months, expected):
    assert months_after(start, months) == expected


def test_months_before_is_the_inverse_direction():
    moment = dt.datetime(2026, 5, 31, 23, 59, tzinfo=dt.UTC)
    assert months_before(moment, 3) == dt.datetime(2026, 2, 28, 23, 59, tzinfo=dt.UTC)
