"""Load the shipped capsule files into the database (idempotent, by version)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hygie.library.loader import CapsuleError, load


class Command(BaseCommand):
    help = "Validate and load content/capsules/*/*.md."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load()
        except CapsuleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Capsules: {counts['created']} loaded, {counts['unchanged']} already up to date."
        )
