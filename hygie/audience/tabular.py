"""Streaming readers for member files: CSV in the encodings and separators that French
offices produce, and XLSX. Rows are read one at a time so memory stays flat."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t", "|")
csv.field_size_limit(1024 * 1024)


class UnreadableFile(ValueError):
    pass


@dataclass
class Table:
    file_format: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0
    _rows: Iterator[tuple[int, list[str]]] = field(default=iter(()), repr=False)
    _closer: IO[bytes] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number in the file, cells) for each data row; blank rows are skipped."""
        return self._rows

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and try again.")
        )
    return "csv"


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: a character cut at the end of the sample is not an error.
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        # Excel's "CSV" on French Windows is Windows-1252, a superset of Latin-1
        # for printable text; it decodes any byte sequence.
        return "cp1252"
    return "utf-8"


def detect_delimiter(first_line: str) -> str:
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _clean_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 33 rather than 33.0 for numbers typed in Excel
    if hasattr(value, "strftime"):
        return value.isoformat()  # type: ignore[no-any-return,attr-defined]
    return str(value).strip()


def open_csv(path: Path) -> Table:
    raw = path.open("rb")
    sample = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    encoding = detect_encoding(sample)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
    first_line = sample.decode(encoding, errors="ignore").lstrip("\ufeff").splitlines()[:1]
    delimiter = detect_delimiter(first_line[0] if first_line else "")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers = [_clean_cell(h) for h in next(reader)]
    except StopIteration:
        raw.close()
        raise UnreadableFile(_("The file is empty.")) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raw.close()
        raise UnreadableFile(_("The file could not be read: %(error)s") % {"error": exc}) from None
    sample_lines = max(1, sample.count(b"\n"))
    estimated = int(path.stat().st_size / (len(sample) / sample_lines)) if sample else 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for record in reader:
                cells = [_clean_cell(c) for c in record]
                if any(cells):
                    yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _("Line %(line)d could not be decoded as %(encoding)s: %(error)s")
                % {"line": start, "encoding": encoding, "error": exc.reason}
            ) from None
        except csv.Error as exc:
            raise UnreadableFile(
                _("Line %(line)d is malformed: %(error)s") % {"line": start, "error": exc}
            ) from None

    return Table(
        file_format="csv",
        headers=headers,
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=max(0, estimated - 1),
        _rows=rows(),
        _closer=raw,
    )


def open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(
            _("The Excel file could not be read: %(error)s") % {"error": exc}
        ) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = [_clean_cell(h) for h in next(iterator)]
    except StopIteration:
        workbook.close()
        raise UnreadableFile(_("The first sheet of the workbook is empty.")) from None
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(iterator, start=2):
                cells = [_clean_cell(v) for v in values]
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    return Table(
        file_format="xlsx",
        headers=headers,
        estimated_rows=max(0, (sheet.max_row or 1) - 1),
        _rows=rows(),
    )


def open_table(path: Path) -> Table:
    if detect_format(path) == "xlsx":
        return open_xlsx(path)
    return open_csv(path)
