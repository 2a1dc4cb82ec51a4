"""Read the first sheet of an XLSX workbook in a separate, memory-capped process.

An XLSX file is a zip of XML: a small upload can expand to gigabytes, and a hostile
one can be crafted to make the XML parser work hard. The web and worker processes
therefore never parse a workbook themselves: they start this module as a child
process (`python xlsx_rows.py FILE MEMORY_MB CPU_SECONDS`), which first caps its own
address space and CPU time, then writes one JSON line per row on stdout:
`{"max_row": N}` first, then `[row_number, [cells...]]` for each row, the header row
included. On failure it prints one word on stderr and exits with a non-zero status
(2: unreadable, 3: out of memory); a process killed for exceeding its limits simply
dies. This file imports nothing from the project, so that the child starts quickly.
"""

from __future__ import annotations

import json
import resource
import sys
import zipfile
import zlib

# What a malformed workbook makes the zip, XML and openpyxl layers raise.
MALFORMED = (
    SyntaxError,  # xml.etree's ParseError: undefined entity, amplification, bad XML
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
)


def clean_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 33 rather than 33.0 for numbers typed in Excel
    if hasattr(value, "strftime"):
        return str(value.isoformat())  # type: ignore[attr-defined]
    return str(value).strip()


def _cap(memory_mb: int, cpu_seconds: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


def _emit(path: str) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        out = sys.stdout
        out.write(json.dumps({"max_row": sheet.max_row or 0}) + "\n")
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            out.write(json.dumps([number, [clean_cell(v) for v in values]]) + "\n")
    finally:
        workbook.close()


def _caused_by_memory(exc: BaseException | None) -> bool:
    """A MemoryError, possibly wrapped by a library into another error."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def main(argv: list[str]) -> int:
    path, memory_mb, cpu_seconds = argv[1], int(argv[2]), int(argv[3])
    _cap(memory_mb, cpu_seconds)
    try:
        _emit(path)
        sys.stdout.flush()
    except MemoryError:
        sys.stderr.write("memory\n")
        return 3
    except BrokenPipeError:
        return 0  # the reader had what it needed (the headers only)
    except Exception as exc:
        if isinstance(exc, MALFORMED) and not _caused_by_memory(exc):
            sys.stderr.write(f"unreadable {type(exc).__name__}\n")
            return 2
        # Anything else, under a memory ceiling, is most likely the ceiling.
        sys.stderr.write(f"memory {type(exc).__name__}\n")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
