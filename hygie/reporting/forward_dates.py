"""The date of a reported message, as a forward writes it.

Attached originals carry an RFC 5322 `Date`; inline forwards carry the date the way
the forwarder's client prints it, in French or English ("jeudi 26 novembre 2026 09:12",
"Thu, Nov 26, 2026 at 9:12 AM", "26/11/26 09:12", "26 novembre 2026 à 09:12:00 UTC+1").
A printed date without a zone is read in Europe/Paris, where the members are.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Paris")

_MONTHS = {
    # French (accents removed) and English, full and abbreviated.
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
_TIME = re.compile(r"\b(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?\s*(am|pm)?\b")
_ZONE = re.compile(
    r"\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b|(?<![\w])([+-])(\d{2})(\d{2})\b"
)
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")
_WORD = re.compile(r"[a-z]+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _rfc(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_printed_date(text: str) -> datetime | None:
    """An aware datetime for a date as a mail client prints it, or None."""
    text = " ".join(text.split())[:200]
    if not text:
        return None
    if (rfc := _rfc(text)) is not None:
        return rfc
    plain = _plain(text)
    time = _TIME.search(plain)
    hour = minute = second = 0
    if time:
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
        if time.group(4) == "pm" and hour < 12:
            hour += 12
        elif time.group(4) == "am" and hour == 12:
            hour = 0
        plain = plain[: time.start()] + " " + plain[time.end() :]
    zone: timezone | ZoneInfo = LOCAL_ZONE
    if zone_match := _ZONE.search(plain):
        sign, hours, minutes = (
            zone_match.group(1, 2, 3) if zone_match.group(1) else zone_match.group(4, 5, 6)
        )
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        zone = timezone(offset if sign == "+" else -offset)
        plain = plain[: zone_match.start()] + " " + plain[zone_match.end() :]
    if numeric := _NUMERIC.search(plain):
        # Day first: the French order, and the one the French webmails print.
        day, month, year = (int(g) for g in numeric.groups())
    else:
        month = next((_MONTHS[w] for w in _WORD.findall(plain) if w in _MONTHS), 0)
        numbers = [int(n) for n in re.findall(r"\b\d{1,4}\b", plain)]
        years = [n for n in numbers if n >= 1000]
        days = [n for n in numbers if 1 <= n <= 31]
        if not (month and years and days):
            return None
        year, day = years[0], days[0]
    if year < 100:
        year += 2000
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def plausible_sent_at(text: str, *, received_at: datetime) -> datetime | None:
    """The original's date if it reads as a time before the report (within a year)."""
    sent_at = parse_printed_date(text)
    if sent_at is None:
        return None
    sent_at = sent_at.astimezone(UTC)
    # A few minutes of clock difference between servers is normal; the future is not.
    if sent_at > received_at + timedelta(minutes=10) or sent_at < received_at - timedelta(days=366):
        return None
    return min(sent_at, received_at)
