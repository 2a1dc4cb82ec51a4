"""Validate the incident guidance files (content/incidents, or another directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hygie.incidents.content import content_dir, load_guidance_files
from hygie.lib.content import ContentError


class Command(BaseCommand):
    help = (
        "Validate content/incidents/*.yaml (or another directory). Nothing is stored: "
        "the assistant reads the shipped files when it starts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", help="A directory of guidance files to check instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options.get("directory") else content_dir()
        try:
            tree = load_guidance_files(directory)
        except ContentError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Incident guidance: {len(tree.questions)} questions, {len(tree.outcomes)} "
            f"outcomes, {len(tree.contacts)} contacts, {len(tree.obligations)} obligations valid."
        )
