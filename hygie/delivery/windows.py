"""Sending windows: allowed days and hours in the organisation's time zone, and the
spreading of send times over them with random jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_SPREAD_DAYS = 90


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
