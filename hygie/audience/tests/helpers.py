"""Builders for member files in the shapes found in the wild."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def luhn_digit(base: str) -> str:
    for digit in "0123456789":
        candidate = base + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            number = int(char) * (2 if index % 2 else 1)
            total += number - 9 if number > 9 else number
        if total % 10 == 0:
            return digit
    raise AssertionError("unreachable")


def rpps(n: int) -> str:
    base = f"1{n:09d}"
    return base + luhn_digit(base)


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> Path:
    def quote(cell: str) -> str:
        if any(c in cell for c in (delimiter, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    text = newline.join(delimiter.join(quote(c) for c in row) for row in rows) + newline
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


FRENCH_HEADERS = [
    "Civilité",
    "Nom",
    "Prénom",
    "Adresse e-mail",
    "N° RPPS",
    "Spécialité",
    "Code postal",
    "Ville",
    "Téléphone portable",
    "Cabinet",
]


def french_row(n: int, **overrides: str) -> list[str]:
    row = {
        "civ": "Dr",
        "nom": f"DURAND{n}",
        "prenom": "Élise",
        "email": f"elise.durand{n}@example.org",
        "rpps": rpps(n),
        "spec": "Médecine générale",
        "cp": "33000",
        "ville": "Bordeaux",
        "tel": "06 12 34 56 78",
        "cabinet": "Cabinet des Chartrons",
    }
    row.update(overrides)
    return list(row.values())
