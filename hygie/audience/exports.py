"""CSV and XLSX exports of people, safe to open in a spreadsheet.

In a CSV, a cell that starts with = + - @ (or a tab or carriage return) would be run
as a formula by Excel or LibreOffice: such cells are prefixed with an apostrophe,
except plain numbers, which are harmless. In an XLSX every cell is written as text,
which no spreadsheet runs: no apostrophe is needed there. French phone numbers are
written the French way ("06 12 34 56 78", "0692 12 34 56"), which a spreadsheet
neither runs nor turns into a number, and which an import reads back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hygie.audience.models import Person

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# Numbers written the national way read back as the same number on import.
_FRENCH_REGIONS = frozenset({"FR", "RE", "YT", "GP", "GF", "MQ", "BL", "MF", "PM"})


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def readable_phone(e164: str) -> str:
    """ "+33612345678" → "06 12 34 56 78"; foreign numbers in international form."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) in _FRENCH_REGIONS:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
    """The values as they are; each format protects them in its own way."""
    for person in (
        people.select_related("practice").prefetch_related("tags").iterator(chunk_size=2000)
    ):
        yield [
            "" if v is None else str(v)
            for v in (
                person.get_civility_display() if person.civility else "",
                person.first_name,
                person.last_name,
                person.email,
                readable_phone(person.mobile_phone),
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
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def xlsx_bytes(rows: Iterable[list[str]], headers: list[str], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")

    def text_cells(values: Iterable[object]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
            # Text, even "=…": a text cell is shown, never run nor read as a number.
            cell.data_type = "s"
            cells.append(cell)
        return cells

    sheet.append(text_cells(headers))
    for row in rows:
        sheet.append(text_cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
