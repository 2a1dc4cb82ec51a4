"""Streaming readers for member files: CSV in the encodings and separators that French
offices produce, and XLSX. Rows are read one at a time so memory stays flat."""

from __future__ import annotations

import codecs
import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from hygie.lib.xlsx_rows import clean_cell as _clean_cell

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t", "|")
csv.field_size_limit(1024 * 1024)


class UnreadableFile(ValueError):
    pass


class SupportsClose(Protocol):
    def close(self) -> None: ...


@dataclass
class Table:
    file_format: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0
    _rows: Iterator[tuple[int, list[str]]] = field(default=iter(()), repr=False)
    _closer: SupportsClose | None = field(default=None, repr=False)

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


# A worksheet's XML compresses well, but not a thousand times: beyond this ratio a
# member of the archive is a decompression bomb, not a member list.
XLSX_MAX_RATIO = 200
# Members smaller than this are not judged by their ratio (an empty sheet compresses
# to almost nothing).
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
XLSX_MAX_MEMBERS = 2000


def check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook whose archive would expand beyond reason, before reading any XML.

    Only the zip's directory is read here; its declared sizes also bound what can be
    decompressed later (Python's zip reader stops at the declared size).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(
            _("The Excel file could not be read: it is not a valid .xlsx file.")
        ) from None
    total = sum(member.file_size for member in members)
    too_big = total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    bomb = any(
        member.file_size > XLSX_RATIO_FLOOR_BYTES
        and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if too_big or bomb or len(members) > XLSX_MAX_MEMBERS:
        raise UnreadableFile(
            _(
                "This Excel file expands to %(mb)d MB once decompressed, far more than a "
                "member list needs: it was refused. Save the sheet as CSV, or remove what "
                "is not the list, and try again."
            )
            % {"mb": total // 2**20}
        )


class _ChildRows:
    """The rows that the memory-capped reader process writes, read as they come."""

    def __init__(self, path: Path) -> None:
        script = Path(__file__).resolve().parent.parent / "lib" / "xlsx_rows.py"
        # The script is ours and the file path one we generated: no shell, no user text.
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-I",
                str(script),
                str(path),
                str(settings.IMPORT_MEMORY_MB),
                str(settings.IMPORT_CPU_SECONDS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def lines(self) -> Iterator[Any]:
        assert self.process.stdout is not None  # noqa: S101 - set by Popen above
        for line in self.process.stdout:
            yield json.loads(line)
        self._check_exit()

    def _check_exit(self) -> None:
        status = self.process.wait()
        if status == 0:
            return
        assert self.process.stderr is not None  # noqa: S101 - set by Popen above
        reason = self.process.stderr.read().strip()
        if reason.startswith("unreadable"):
            raise UnreadableFile(
                _(
                    "The Excel file could not be read: its content is malformed. "
                    "Open it in Excel, save it again as .xlsx (or CSV) and try again."
                )
            )
        raise UnreadableFile(
            _(
                "The Excel file needs more memory or time to read than an import may use. "
                "Save the sheet as CSV and try again."
            )
        )

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def open_xlsx(path: Path) -> Table:
    """The first sheet, parsed in a child process under a memory ceiling (hygie.lib.xlsx_rows)."""
    check_xlsx_archive(path)
    child = _ChildRows(path)
    lines = child.lines()
    try:
        meta = next(lines)
        _number, first = next(lines)
    except StopIteration:
        child.close()
        raise UnreadableFile(_("The first sheet of the workbook is empty.")) from None
    except (UnreadableFile, ValueError):
        child.close()
        raise
    headers = list(first)
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in lines:
                if any(cells):
                    yield int(number), list(cells)
        finally:
            child.close()

    max_row = int(meta.get("max_row") or 1) if isinstance(meta, dict) else 1
    return Table(
        file_format="xlsx",
        headers=headers,
        estimated_rows=max(0, max_row - 1),
        _rows=rows(),
        _closer=child,
    )


def open_table(path: Path) -> Table:
    if detect_format(path) == "xlsx":
        return open_xlsx(path)
    return open_csv(path)
