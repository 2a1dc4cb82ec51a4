"""Load the scanner knowledge (content/scanners/*.yaml, or another directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hygie.lib.content import ContentError
from hygie.phishing.content.scanners import scanners_sync


class Command(BaseCommand):
    help = (
        "Validate and load the published ranges and user agents of mail-security "
        "gateways and link previewers. The ranges organisations added stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            help="A directory of scanner files to load instead of the shipped one "
            "(an update received between two releases).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options.get("directory") else None
        try:
            counts = scanners_sync(directory=directory)
        except ContentError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Scanner knowledge: {counts['signatures']} signatures of "
            f"{counts['families']} families loaded ({counts['replaced']} replaced)."
        )
