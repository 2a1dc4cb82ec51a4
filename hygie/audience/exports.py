"""CSV and XLSX exports of people, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice: such cells are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hygie.audience.models import Person

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def export_headers() -> list[str]:
    return [
        _("Civility"),
        _("First name"),
        _("Last name"),
        _("Email"),
        _("Mobile phone"),
        _("RPPS number"),
        _("Profession"),
        _("Specialty"),
        _("Département"),
        _("Commune"),
        _("Practice"),
        _("Language"),
        _("Tags"),
        _("Status"),
        _("Pseudonymous id"),
    ]


def export_rows(people: QuerySet[Person]) -> Iterator[list[str]]:
    for person in (
        people.select_related("practice").prefetch_related("tags").iterator(chunk_size=2000)
    ):
        yield [
            spreadsheet_safe(v)
            for v in (
                person.get_civility_display() if person.civility else "",
                person.first_name,
                person.last_name,
                person.email,
                person.mobile_phone,
                person.rpps,
                person.get_profession_display(),
                person.specialty,
                person.departement,
                person.commune,
                person.practice.name if person.practice else "",
                person.language,
                ", ".join(t.name for t in person.tags.all()),
                person.get_status_display(),
                person.pseudonym,
            )
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[str]], headers: list[str]) -> Iterator[str]:
    """CSV for French Excel: UTF-8 with BOM and semicolons, streamed row by row."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([spreadsheet_safe(h) for h in headers])
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(rows: Iterable[list[str]], headers: list[str], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([spreadsheet_safe(h) for h in headers])
    for row in rows:
        # Written as text cells: nothing is interpreted as a formula or a number.
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
