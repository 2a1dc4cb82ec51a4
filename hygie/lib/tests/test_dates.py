import datetime as dt

import pytest
from django.utils import timezone, translation

from hygie.lib.dates import long_date, months_after, months_before

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


# --- Dates written out in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 5, 1), "jeudi 1er mai 2025"),
        (dt.date(2025, 5, 2), "vendredi 2 mai 2025"),
        (dt.date(2025, 12, 1), "lundi 1er décembre 2025"),
        (dt.date(2026, 11, 11), "mercredi 11 novembre 2026"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_in_french(day, expected):
    with translation.override("fr"):
        assert long_date(day) == expected


def test_english_keeps_cardinal_days_and_the_weekday_can_be_left_out():
    with translation.override("en"):
        assert long_date(dt.date(2025, 5, 1)) == "Thursday 1 May 2025"
    with translation.override("fr"):
        assert long_date(dt.date(2025, 5, 1), weekday=False) == "1er mai 2025"


def test_an_aware_time_is_read_in_the_current_time_zone():
    # 30 April 2025 at 23:30 UTC is already 1 May in Paris.
    moment = dt.datetime(2025, 4, 30, 23, 30, tzinfo=UTC)
    with translation.override("fr"), timezone.override("Europe/Paris"):
        assert long_date(moment) == "jeudi 1er mai 2025"
    with translation.override("fr"), timezone.override("UTC"):
        assert long_date(moment) == "mercredi 30 avril 2025"
