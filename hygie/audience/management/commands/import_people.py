"""Import a member file from the command line: a dry run by default, --apply to write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hygie.accounts.models import Organisation
from hygie.audience.importing import ImportFailed
from hygie.audience.models import ImportRejection
from hygie.audience.services import import_run_from_file


class Command(BaseCommand):
    help = "Analyse (and with --apply, import) a CSV or XLSX member file for an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="the organisation's short name (slug)")
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="write the accepted rows")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="force a mapping, by column number (1 = first) or header text; repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['organisation']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        mapping = self._mapping(path, options["map"]) if options["map"] else None
        try:
            job = import_run_from_file(
                organisation=organisation, path=path, mapping=mapping, apply=options["apply"]
            )
        except (ImportFailed, ValidationError) as exc:
            raise CommandError(str(exc)) from None
        counts = job.counts
        self.stdout.write(
            f"{'Imported' if options['apply'] else 'Dry run'} {path.name}: "
            + ", ".join(
                f"{key}: {counts.get(key, 0)}"
                for key in ("new", "updated", "unchanged", "rejected")
            )
        )
        for line, reason in ImportRejection.objects.filter(job=job).values_list("line", "reason")[
            :200
        ]:
            self.stdout.write(f"  line {line}: {reason}")
        if not options["apply"]:
            self.stdout.write("Nothing written. Run again with --apply to import.")

    def _mapping(self, path: Path, pairs: list[str]) -> dict[str, str]:
        from hygie.audience.mapping import guess_mapping
        from hygie.audience.tabular import open_table

        table = open_table(path)
        table.close()
        mapping = guess_mapping(table.headers)
        for pair in pairs:
            column, _sep, field = pair.partition("=")
            if column.isdigit():
                index = int(column) - 1
            elif column in table.headers:
                index = table.headers.index(column)
            else:
                raise CommandError(f"Unknown column {column!r} in --map {pair!r}.")
            mapping[str(index)] = field
        return mapping
