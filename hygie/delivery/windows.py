"""Sending windows: allowed days and hours in the organisation's time zone, and the
spreading of send times over them with random jitter; the window's fields, which every
form that creates a mailing shows (a mailing, an awareness campaign, a simulation)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SPREAD_DAYS = 90

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
# A new mailing's window when nobody chose another: working days, working hours, in the
# organisation's time zone (the defaults of the mailing's columns).
DEFAULT_DAYS = (0, 1, 2, 3, 4)
DEFAULT_START = time(8, 0)
DEFAULT_END = time(19, 0)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # datetime.weekday(): Monday is 0
    start: time
    end: time
    zone: ZoneInfo

    def intervals(self, since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
        """The open periods between two instants, as UTC pairs."""
        if not self.days or self.start >= self.end:
            return []
        periods = []
        day = since.astimezone(self.zone).date()
        last_day = until.astimezone(self.zone).date()
        while day <= last_day:
            if day.weekday() in self.days:
                opens = datetime.combine(day, self.start, tzinfo=self.zone).astimezone(UTC)
                closes = datetime.combine(day, self.end, tzinfo=self.zone).astimezone(UTC)
                opens, closes = max(opens, since), min(closes, until)
                if opens < closes:
                    periods.append((opens, closes))
            day += timedelta(days=1)
        return periods

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if the window is open then, else the next opening."""
        if self.is_open(moment):
            return moment
        periods = self.intervals(moment, moment + timedelta(days=8))
        if not periods:
            raise ValueError("This sending window never opens.")
        return periods[0][0]


def spread(
    window: Window,
    count: int,
    *,
    start: datetime,
    end: datetime | None,
    rate_per_minute: int,
    rng: random.Random,
    urgent: bool = False,
) -> list[datetime]:
    """`count` send times, sorted, at random positions over the open periods.

    Without an end, the messages are spread over the first open period of the window
    (the rest of today's, or the next one's), and longer when the rate limit needs it
    (plus a margin, so that the queue does not pile up behind the limit): a mailing
    never leaves in one burst, which mail providers treat as spam. An `urgent` mailing
    (an alert about a lure in circulation) takes only the time its rate needs.
    """
    if count == 0:
        return []
    if end is None:
        needed = timedelta(minutes=count / max(rate_per_minute, 1)) * 1.25
        end = start
        while sum((b - a for a, b in window.intervals(start, end)), timedelta()) < needed:
            end += timedelta(days=1)
            if end - start > timedelta(days=MAX_SPREAD_DAYS):
                break
        else:
            end = _cut(window.intervals(start, end), needed)
        first = window.intervals(start, start + timedelta(days=8))
        if first and not urgent:
            end = max(end, first[0][1])
    periods = window.intervals(start, end)
    if not periods:
        raise ValueError("The sending window is never open between these dates.")
    lengths = [(b - a).total_seconds() for a, b in periods]
    total = sum(lengths)
    positions = sorted(rng.uniform(0, total) for _ in range(count))
    times = []
    index, offset = 0, 0.0
    for position in positions:
        while position > offset + lengths[index] and index < len(lengths) - 1:
            offset += lengths[index]
            index += 1
        times.append(periods[index][0] + timedelta(seconds=position - offset))
    return times


def _cut(periods: list[tuple[datetime, datetime]], needed: timedelta) -> datetime:
    """The instant at which the open periods have provided `needed` time."""
    remaining = needed
    for opens, closes in periods:
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    return periods[-1][1]


@dataclass(frozen=True)
class SendingHours:
    """The days and hours a campaign's mailing may send, as chosen on its creation form;
    they are read in the organisation's time zone."""

    days: tuple[int, ...] = DEFAULT_DAYS
    start: time = DEFAULT_START
    end: time = DEFAULT_END

    def mailing_fields(self) -> dict[str, object]:
        return {
            "window_days": sorted(set(self.days)),
            "window_start": self.start,
            "window_end": self.end,
        }


def default_window(time_zone: str) -> Window:
    """The window a new mailing of an organisation gets unless another is chosen."""
    return Window(
        days=frozenset(DEFAULT_DAYS),
        start=DEFAULT_START,
        end=DEFAULT_END,
        zone=ZoneInfo(time_zone),
    )


def zone_help(time_zone: str) -> str:
    return str(_("Hours in the organisation's time zone (%(zone)s).") % {"zone": time_zone})


def add_window_fields(form: forms.BaseForm, *, time_zone: str, after: str) -> None:
    """Put the sending window's fields (days, first and last hour) in `form` after the
    field `after`, pre-filled with the organisation's default window."""
    window = default_window(time_zone)
    fields: dict[str, forms.Field] = {
        "window_days": forms.TypedMultipleChoiceField(
            label=_("Sending days"),
            choices=WEEKDAYS,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            initial=sorted(window.days),
        ),
        "window_start": forms.TimeField(
            label=_("Sending from"),
            initial=window.start,
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            help_text=zone_help(time_zone),
        ),
        "window_end": forms.TimeField(
            label=_("Sending until"),
            initial=window.end,
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            help_text=_("Nothing leaves outside these days and hours."),
        ),
    }
    order = list(form.fields)
    at = order.index(after) + 1
    form.fields.update(fields)
    form.order_fields(order[:at] + list(fields) + order[at:])


def clean_window_fields(form: forms.BaseForm, cleaned: dict[str, Any]) -> SendingHours | None:
    """The chosen window, or None after putting on the form what is wrong with it."""
    days, start, end = (cleaned.get(f) for f in ("window_days", "window_start", "window_end"))
    if start and end and start >= end:
        form.add_error("window_end", _("The window must end after it starts."))
        return None
    if not days or not start or not end:
        return None
    return SendingHours(days=tuple(days), start=start, end=end)
