"""The shipped scanner knowledge: content/scanners/*.yaml, validated and loaded.

Each file is dated and names the public source of every range and signature. A
load replaces the shipped rows as a whole (an updated file needs no release: drop
it in the directory, or give another directory, and load again); the ranges an
organisation added in the console are other rows and stay. The shape is every content
type's (`hygie.lib.content`): `load_scanner_files` reads and validates, `scanners_sync` saves.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from hygie.lib.content import ContentError, content_directory, content_files, read_yaml
from hygie.phishing.models import KnownScanner, ScannerKind, ScannerMatch

MATCHES = {
    "networks": ScannerMatch.NETWORK,
    "agents": ScannerMatch.AGENT,
    "agents_exact": ScannerMatch.AGENT_EXACT,
}


class ScannerDataError(ContentError):
    """A scanner file that cannot be loaded; the message names the file and the field."""

    title = "Invalid scanner files"


def default_directory() -> Path:
    configured = getattr(settings, "HYGIE_SCANNERS_DIR", "")
    return Path(configured) if configured else content_directory("scanners")


def load_scanner_files(directory: Path | None = None) -> list[KnownScanner]:
    """Every signature of the directory's files, validated (nothing saved)."""
    base = directory or default_directory()
    files = content_files(base, "*.yaml")
    if not files:
        raise ScannerDataError(f"{base}: no scanner file (*.yaml)")
    rows: list[KnownScanner] = []
    seen: set[tuple[str, str, str]] = set()
    for path in files:
        for row in _read_file(path):
            key = (row.family, row.match, row.value)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return rows


def _read_file(path: Path) -> list[KnownScanner]:
    data = read_yaml(path, ScannerDataError)
    if not isinstance(data, dict):
        raise ScannerDataError(f"{path.name}: expected a mapping with 'reviewed' and 'families'")
    reviewed = data.get("reviewed")
    if not isinstance(reviewed, datetime.date):
        raise ScannerDataError(f"{path.name}: 'reviewed' must be a date (YYYY-MM-DD)")
    families = data.get("families")
    if not isinstance(families, list) or not families:
        raise ScannerDataError(f"{path.name}: 'families' must be a non-empty list")
    rows = []
    for number, family in enumerate(families, start=1):
        rows += _family_rows(path.name, number, family, reviewed)
    return rows


def _family_rows(
    name: str, number: int, family: Any, reviewed: datetime.date
) -> list[KnownScanner]:
    where = f"{name}, family {number}"
    if not isinstance(family, dict):
        raise ScannerDataError(f"{where}: expected a mapping")
    slug, kind = family.get("id"), family.get("kind")
    if not isinstance(slug, str) or not slug:
        raise ScannerDataError(f"{where}: 'id' is missing")
    where = f"{name}, family {slug}"
    if kind not in ScannerKind.values:
        raise ScannerDataError(f"{where}: 'kind' must be one of {', '.join(ScannerKind.values)}")
    sources = family.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise ScannerDataError(f"{where}: 'sources' must list where the data was published")
    values_by_field = {
        field: [_value(where, field, value) for value in _list(where, field, family.get(field))]
        for field in MATCHES
    }
    if not any(values_by_field.values()):
        raise ScannerDataError(f"{where}: no network nor agent signature")
    label = _text(where, "label", family.get("label"), names=True)
    description = _text(where, "description", family.get("description"))
    note = _text(where, "note", family.get("note"), optional=True)
    rows = []
    for field, match in MATCHES.items():
        for value in values_by_field[field]:
            rows.append(
                KnownScanner(
                    family=slug,
                    label=label[0],
                    label_en=label[1],
                    description=description[0],
                    description_en=description[1],
                    note=note[0],
                    note_en=note[1],
                    kind=kind,
                    match=match,
                    value=value,
                    sources=sources,
                    reviewed=reviewed,
                    file=name,
                )
            )
    return rows


def _list(where: str, field: str, values: Any) -> list[Any]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise ScannerDataError(f"{where}: '{field}' must be a list")
    return values


def _text(
    where: str, field: str, value: Any, *, names: bool = False, optional: bool = False
) -> tuple[str, str]:
    """A text of the family as (French, English): `{fr: …, en: …}`; a name (`names`)
    that reads the same in both languages may be written once."""
    if value is None and optional:
        return "", ""
    if names and isinstance(value, str) and value.strip():
        return value.strip(), value.strip()
    if (
        not isinstance(value, dict)
        or set(value) != {"fr", "en"}
        or not all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        raise ScannerDataError(
            f"{where}: '{field}' must give its French and English texts (fr, en)"
        )
    return value["fr"].strip(), value["en"].strip()


def _value(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScannerDataError(f"{where}: an entry of '{field}' is empty")
    if field != "networks":
        return value.strip() if field == "agents_exact" else value.strip().lower()
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ScannerDataError(f"{where}: {value!r} is not an address range (CIDR)") from None
    # A range this wide would take whole operators' subscribers for robots.
    if network.prefixlen < (8 if network.version == 4 else 19):
        raise ScannerDataError(f"{where}: {value} is too wide to be one service's range")
    return str(network)


@transaction.atomic
def scanners_sync(*, directory: Path | None = None) -> dict[str, int]:
    """Replace the shipped signatures with the directory's (all or nothing)."""
    rows = load_scanner_files(directory)
    removed, _by_model = KnownScanner.objects.all().delete()
    KnownScanner.objects.bulk_create(rows)
    from hygie.phishing.detection import forget_known_scanners
    from hygie.phishing.reasons import forget_family_names

    transaction.on_commit(forget_known_scanners)
    transaction.on_commit(forget_family_names)
    return {
        "signatures": len(rows),
        "families": len({row.family for row in rows}),
        "replaced": removed,
    }
