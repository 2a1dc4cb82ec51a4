"""Calendar arithmetic the standard library lacks: whole months."""

from __future__ import annotations

import calendar
import datetime as dt


def months_after(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months later (negative: earlier).

    A day that the target month lacks is clamped to its last day: 31 March + 1 month is
    30 April, so a retention period never ends later than a person would expect.
    """
    month_index = moment.year * 12 + moment.month - 1 + months
    year, month_zero = divmod(month_index, 12)
    month = month_zero + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    return months_after(moment, -months)
