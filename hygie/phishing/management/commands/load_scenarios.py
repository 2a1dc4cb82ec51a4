"""Load the shipped phishing-simulation scenarios (idempotent, by version)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hygie.phishing.loader import ScenarioError, load


class Command(BaseCommand):
    help = "Validate and load content/scenarios/*/*.yaml."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load()
        except ScenarioError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Scenarios: {counts['created']} loaded, {counts['unchanged']} already up to date."
        )
