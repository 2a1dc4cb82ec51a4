"""Feed bounce messages (.eml files, or a directory of them) to the bounce handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hygie.delivery.bounces import process_dsn


class Command(BaseCommand):
    help = "Process delivery status notifications saved as .eml files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        files = []
        for path in options["paths"]:
            files.extend(sorted(path.glob("*.eml")) if path.is_dir() else [path])
        matched = 0
        for file in files:
            delivery = process_dsn(file.read_bytes())
            if delivery is not None:
                matched += 1
        self.stdout.write(f"{len(files)} message(s) read, {matched} matched to a delivery.")
