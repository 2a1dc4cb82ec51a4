"""Hostile member files: decompression bombs and malformed XML never reach the web process's
memory, give a clear error and leave nothing behind."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.accounts.actors import Actor
from hygie.audience import importing, services
from hygie.audience.models import ImportJob, ImportStatus
from hygie.audience.tests.helpers import FRENCH_HEADERS, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def with_sheet(source: Path, target: Path, chunks) -> Path:
    """A copy of the workbook `source` whose first sheet is made of `chunks`."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as copy,
    ):
        for member in original.infolist():
            if member.filename == SHEET:
                with copy.open(SHEET, "w", force_zip64=True) as sheet:
                    for chunk in chunks:
                        sheet.write(chunk)
            else:
                copy.writestr(member, original.read(member.filename))
    return target


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_xlsx(
        tmp_path / "members.xlsx", [FRENCH_HEADERS[:4], ["M.", "Dupont", "Jean", "x"]]
    )


def bomb(workbook: Path, target: Path, mib: int = 120) -> Path:
    def chunks():
        yield SHEET_START + b"<sheetData>"
        blank = b" " * 2**20
        for _ in range(mib):
            yield blank
        yield b"</sheetData></worksheet>"

    return with_sheet(workbook, target, chunks())


def upload(organisation, path: Path):
    return services.import_upload(
        organisation=organisation,
        actor=Actor.system(),
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )


def imports_dir(settings, organisation) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(organisation.pk)


def files_left(settings, organisation) -> list[Path]:
    directory = imports_dir(settings, organisation)
    return list(directory.iterdir()) if directory.exists() else []


@pytest.fixture
def no_parsing_here(monkeypatch):
    """Any workbook parsed in this (web or worker) process fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a workbook was parsed in the calling process")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", refuse)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_decompression_bomb_is_refused_before_parsing(
    organisation, workbook, tmp_path, settings, no_parsing_here
):
    hostile = bomb(workbook, tmp_path / "membres.xlsx")
    assert hostile.stat().st_size < 1024 * 1024  # small upload, 120 MiB sheet
    before = peak_rss_mb()
    with pytest.raises(ValidationError) as caught:
        upload(organisation, hostile)
    assert "expands to 120 MB once decompressed" in caught.value.messages[0]
    # The web process did not grow: the sheet was never decompressed here.
    assert peak_rss_mb() - before < 50
    assert not ImportJob.objects.exists()
    assert files_left(settings, organisation) == []


def test_the_uncompressed_total_is_capped_even_at_a_modest_ratio(
    organisation, workbook, tmp_path, settings
):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 2**20
    noisy = with_sheet(
        workbook,
        tmp_path / "m.xlsx",
        [SHEET_START + b"<sheetData>", bytes(range(256)) * 12 * 1024, b"</sheetData></worksheet>"],
    )
    with pytest.raises(ValidationError, match="once decompressed"):
        upload(organisation, noisy)
    assert files_left(settings, organisation) == []


@pytest.mark.parametrize(
    "body",
    [
        # An entity that is never defined.
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&nowhere;</t></is></c></row>'
        b"</sheetData></worksheet>",
        # Entity amplification ("billion laughs").
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b"]>"
        + SHEET_START[SHEET_START.index(b"<worksheet") :]
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row>'
        b"</sheetData></worksheet>",
        # Not XML at all.
        b"\x00\x01 not xml",
    ],
    ids=["undefined-entity", "amplification", "garbage"],
)
def test_a_malformed_workbook_gets_a_clear_error_and_leaves_nothing(
    organisation, workbook, tmp_path, settings, body
):
    start = b"" if body.startswith((b"<!DOCTYPE", b"\x00")) else SHEET_START
    if body.startswith(b"<!DOCTYPE"):
        start = b'<?xml version="1.0" encoding="UTF-8"?>'
    hostile = with_sheet(workbook, tmp_path / "membres.xlsx", [start + body])
    with pytest.raises(ValidationError) as caught:
        upload(organisation, hostile)
    assert caught.value.messages == [
        "The Excel file could not be read: its content is malformed. "
        "Open it in Excel, save it again as .xlsx (or CSV) and try again."
    ]
    assert not ImportJob.objects.exists()
    assert files_left(settings, organisation) == []


def test_a_normal_workbook_is_read_in_a_child_process(organisation, workbook, no_parsing_here):
    job = upload(organisation, workbook)
    assert job.file_format == "xlsx"
    assert job.headers == FRENCH_HEADERS[:4]


def test_the_reader_has_a_memory_ceiling(organisation, workbook, settings):
    # Too little memory even to start the parser: the child fails, the caller does not.
    settings.IMPORT_MEMORY_MB = 12
    with pytest.raises(ValidationError) as caught:
        upload(organisation, workbook)
    assert "needs more memory or time to read than an import may use" in caught.value.messages[0]
    assert files_left(settings, organisation) == []


def test_a_sheet_broken_after_its_headers_fails_the_analysis_cleanly(
    organisation, workbook, tmp_path, settings
):
    """The worker reads past the headers only later: a fault there fails the job, no crash."""

    def cells(row: int, values: list[str]) -> bytes:
        return b"".join(
            f'<c r="{col}{row}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
            for col, value in zip("ABCD", values, strict=True)
        )

    # Enough good rows first that the parser has handed out the headers before the fault.
    good = b"".join(
        f'<row r="{n}">'.encode() + cells(n, ["M.", "Dupont", "Jean", f"j{n}@x.fr"]) + b"</row>"
        for n in range(2, 3000)
    )
    broken = with_sheet(
        workbook,
        tmp_path / "membres.xlsx",
        [
            # Excel always writes the dimension, which lets the reader start streaming.
            SHEET_START
            + b'<dimension ref="A1:D3000"/><sheetData><row r="1">'
            + cells(1, FRENCH_HEADERS[:4])
            + b"</row>",
            good,
            b'<row r="3000"><c r="A3000" t="inlineStr"><is><t>&nowhere;</t></is></c></row>'
            b"</sheetData></worksheet>",
        ],
    )
    job = upload(organisation, broken)
    with pytest.raises(importing.ImportFailed, match="malformed"):
        importing.analyse(job)
    job.status = ImportStatus.ANALYSING
    job.save()
    from hygie.audience.tasks import analyse_import

    analyse_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "malformed" in job.error
