"""Attachments rendered for each recipient: PDF documents and calendar invitations.

A variant may carry an attachment as HTML with placeholders; each message gets its own
PDF, so that the link and QR code inside lead to that recipient's personal link (a
simulation's "attachment with a link"). The QR code is drawn into the document as a
`data:` image: the PDF renderer fetches nothing from the network (hygie.lib.pdf).

A file name ending in .ics makes it a calendar invitation instead: its source is a few
`PROPERTY:value` lines (summary, location, description, link) and each message gets an
iCalendar event (RFC 5545) whose date is computed when it is sent, a week or so ahead,
so that an invitation is never for a day already past.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.delivery import placeholders
from hygie.lib.pdf import html_to_pdf

QR_PLACEHOLDER = re.compile(r"\{\{\s*qr_code\s*\}\}")
# Stands for the QR code while the other placeholders are substituted.
_QR_MARK = "\ue000qr\ue000"
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\.(pdf|ics)")
# What the source of an invitation may set; the dates and identifiers are computed.
CALENDAR_PROPERTIES = ("SUMMARY", "LOCATION", "DESCRIPTION", "URL")
_CALENDAR_LINE = re.compile(rf"({'|'.join(CALENDAR_PROPERTIES)}):(.+)")
# Properties whose value is text (RFC 5545 3.3.11: backslash, comma, semicolon escaped).
_TEXT_PROPERTIES = {"SUMMARY", "LOCATION", "DESCRIPTION"}
PARIS = ZoneInfo("Europe/Paris")


def is_calendar(name: str) -> bool:
    return name.lower().endswith(".ics")


def content_type(name: str) -> str:
    if is_calendar(name):
        return "text/calendar; charset=utf-8; method=PUBLISH"
    return "application/pdf"


def problems(name: str, html: str) -> dict[str, str]:
    """What is wrong with an attachment, by field (empty: nothing, or no attachment)."""
    if not name and not html.strip():
        return {}
    found = {}
    if not FILE_NAME.fullmatch(name):
        found["attachment_name"] = _(
            "the attachment needs a file name of letters, digits, dots, hyphens or "
            "underscores ending in .pdf or .ics"
        )
    elif is_calendar(name):
        lines = [line.strip() for line in html.splitlines() if line.strip()]
        wrong = [line for line in lines if not _CALENDAR_LINE.fullmatch(line)]
        if wrong:
            found["attachment_html"] = _(
                "an invitation has one PROPERTY:value per line (%(properties)s): %(line)r"
            ) % {"properties": ", ".join(CALENDAR_PROPERTIES), "line": wrong[0][:40]}
        elif not any(line.startswith("SUMMARY:") for line in lines):
            found["attachment_html"] = _("an invitation needs a SUMMARY line")
    unknown = set(placeholders.unknown_placeholders(html)) - {"qr_code"}
    if not html.strip():
        found["attachment_html"] = _("the attachment has no content")
    elif unknown:
        found["attachment_html"] = _("unknown placeholder(s): %(names)s") % {
            "names": ", ".join(sorted(unknown))
        }
    elif "<script" in html.lower():
        found["attachment_html"] = _("no script in an attachment")
    return found


def qr_image(link: str) -> str:
    uri = segno.make(link, error="m").png_data_uri(scale=5, border=2)
    return f'<img src="{uri}" alt="QR code" style="width:42mm;height:42mm">'


def filled(html: str, values: Mapping[str, str]) -> str:
    """The attachment's HTML for one recipient: placeholders filled (escaped), the QR
    code of their link drawn in."""
    text = placeholders.substitute(QR_PLACEHOLDER.sub(_QR_MARK, html), values, escape_html=True)
    return text.replace(_QR_MARK, qr_image(values.get("link", "")))


def calendar_lines(source: str, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The invitation's properties for one recipient, placeholders filled."""
    text = placeholders.substitute(source, values)
    found = (_CALENDAR_LINE.fullmatch(line.strip()) for line in text.splitlines())
    return [(match.group(1), match.group(2).strip()) for match in found if match]


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545 3.1)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def calendar(source: str, values: Mapping[str, str], now: datetime | None = None) -> bytes:
    """An iCalendar invitation: next week's day at 20:00 in Paris, for two hours."""
    now = now or timezone.now()
    day = (now.astimezone(PARIS) + timedelta(days=8)).date()
    start = datetime(day.year, day.month, day.day, 20, 0, tzinfo=PARIS).astimezone(ZoneInfo("UTC"))
    stamp = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Agenda//Invitation//FR",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uuid.uuid4()}",
        f"DTSTAMP:{now.astimezone(ZoneInfo('UTC')).strftime(stamp)}",
        f"DTSTART:{start.strftime(stamp)}",
        f"DTEND:{(start + timedelta(hours=2)).strftime(stamp)}",
    ]
    for name, value in calendar_lines(source, values):
        lines.append(f"{name}:{_text(value) if name in _TEXT_PROPERTIES else value}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def render(html: str, values: Mapping[str, str], name: str = "") -> bytes:
    """The attachment of one recipient: a PDF, or an invitation when `name` ends in .ics."""
    if is_calendar(name):
        return calendar(html, values)
    return html_to_pdf(filled(html, values))
