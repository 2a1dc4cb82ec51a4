"""Load the shipped phishing-simulation scenarios (idempotent, by version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hygie.lib.content import ContentError
from hygie.phishing.content.scenarios import scenarios_sync


class Command(BaseCommand):
    help = "Validate and load content/scenarios/*/*.yaml (or another directory)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", help="A directory of scenario files to load instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options.get("directory") else None
        try:
            counts = scenarios_sync(directory=directory)
        except ContentError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Scenarios: {counts['created']} loaded, {counts['unchanged']} already up to date."
        )
