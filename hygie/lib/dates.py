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


def long_date(moment: dt.date | dt.datetime, *, weekday: bool = True) -> str:
    """A date written out in the active language: "jeudi 1er mai 2025", "Thursday 1 May 2025".

    French writes the first day of a month as an ordinal ("1er mai"), every other day as a
    cardinal ("2 mai"); Django's "j" format knows no such rule. An aware datetime is first
    converted to the current time zone, so the day is the one the reader lives.
    """
    from django.utils import dateformat, timezone
    from django.utils.translation import get_language

    if isinstance(moment, dt.datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    french = (get_language() or "fr").lower().startswith("fr")
    day = "1er" if french and moment.day == 1 else str(moment.day)
    words = [dateformat.format(moment, "l")] if weekday else []
    words += [day, dateformat.format(moment, "F"), str(moment.year)]
    return " ".join(words)
