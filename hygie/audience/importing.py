"""Member-file import: analyse (dry run) then apply, both streaming in chunks.

The same pass serves both: `analyse` classifies every row (new, updated,
unchanged, rejected) and writes nothing but the job's report; `apply` runs the
pass again inside one transaction and writes the accepted rows, so an import is
all or nothing. People are matched by email first, then by RPPS number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.audience.mapping import AS_TAG, IGNORE, mapping_problems
from hygie.audience.models import (
    ImportJob,
    ImportRejection,
    ImportStatus,
    Language,
    Person,
    PersonStatus,
    Practice,
    Profession,
    Tag,
    new_pseudonym,
)
from hygie.audience.suppression_list import suppressed_among
from hygie.audience.tabular import Table, UnreadableFile, open_table
from hygie.audience.values import (
    InvalidValue,
    clean_civility,
    clean_departement,
    clean_email,
    clean_language,
    clean_mobile_phone,
    clean_name,
    clean_postcode,
    clean_practice_role,
    clean_profession,
    clean_rpps,
    clean_specialty,
    clean_text,
    departement_from_postcode,
    split_tags,
)
from hygie.lib.bulk import insert_rows

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000
# Person fields an import may set (practice and tags are handled apart).
PERSON_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "mobile_phone",
    "rpps",
    "profession",
    "specialty",
    "practice_role",
    "departement",
    "commune",
    "language",
)

_CLEANERS: dict[str, Callable[[str], str]] = {
    "civility": clean_civility,
    "first_name": clean_name,
    "last_name": clean_name,
    "email": clean_email,
    "mobile_phone": clean_mobile_phone,
    "rpps": clean_rpps,
    "profession": clean_profession,
    "specialty": clean_specialty,
    "practice_role": clean_practice_role,
    "departement": clean_departement,
    "postcode": clean_postcode,
    "commune": lambda v: clean_text(v, 120),
    "practice_name": lambda v: clean_text(v, 200),
    "practice_address": lambda v: clean_text(v, 300),
    "language": clean_language,
}


class ImportFailed(Exception):
    pass


@dataclass
class CleanRow:
    line: int
    values: dict[str, str]
    tags: list[str] = field(default_factory=list)
    # Optional values left out, each with why (the member is imported without them).
    warnings: list[str] = field(default_factory=list)


@dataclass
class Tally:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # Rows imported with one or more values left out.
    warned: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warned": self.warned,
            "total": self.total,
        }


def clean_row(line: int, cells: list[str], mapping: dict[str, str], headers: list[str]) -> CleanRow:
    """Clean one row. A missing or invalid email raises InvalidValue (the row cannot be
    imported); any other bad value is left out with a warning, since one odd optional
    value must not cost the union a member."""
    values: dict[str, str] = {}
    tags: list[str] = []
    warnings: list[str] = []
    for index_text, target in mapping.items():
        index = int(index_text)
        cell = cells[index] if index < len(cells) else ""
        if target == IGNORE or not cell:
            continue
        if target == AS_TAG:
            header = headers[index] if index < len(headers) else f"col{index + 1}"
            tags.append(clean_text(f"{header}: {cell}", 80))
        elif target == "tags":
            tags.extend(split_tags(cell))
        elif target == "email":
            values[target] = clean_email(cell)
        else:
            try:
                values[target] = _CLEANERS[target](cell)
            except InvalidValue as exc:
                warnings.append(
                    _("%(problem)s: value left out, the rest of the row is imported")
                    % {"problem": exc}
                )
    if not values.get("email"):
        raise InvalidValue(_("missing email address"))
    if not values.get("departement") and values.get("postcode"):
        values["departement"] = departement_from_postcode(values["postcode"])
    return CleanRow(line=line, values=values, tags=tags, warnings=warnings)


def _chunks(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class ImportPass:
    """One pass over the file. With `write=False` it only classifies."""

    def __init__(self, job: ImportJob, *, write: bool, on_progress: Callable[[int], None]):
        self.job = job
        self.write = write
        self.on_progress = on_progress
        self.tally = Tally()
        self.rejections: list[ImportRejection] = []
        self.seen_emails: dict[str, int] = {}
        self.seen_rpps: dict[str, int] = {}
        # (lower-cased name, commune) → practice id, loaded once per pass.
        self.practices: dict[tuple[str, str], int] = {
            (name.lower(), commune): pk
            for pk, name, commune in Practice.objects.filter(
                organisation_id=job.organisation_id
            ).values_list("pk", "name", "commune")
        }
        self.tags: dict[str, Tag] = {}
        self.now = timezone.now()

    def reject(self, line: int, reason: str) -> None:
        self.tally.rejected += 1
        self.rejections.append(ImportRejection(job=self.job, line=line, reason=reason[:300]))

    def warn(self, row: CleanRow) -> None:
        """Record the values an accepted row goes without."""
        self.tally.warned += 1
        self.rejections.extend(
            ImportRejection(job=self.job, line=row.line, reason=reason[:300], is_warning=True)
            for reason in row.warnings
        )

    def run(self, table: Table) -> Tally:
        processed = 0
        for chunk in _chunks(table.rows(), CHUNK_ROWS):
            self._process_chunk(chunk, table.headers)
            processed += len(chunk)
            if len(self.rejections) >= CHUNK_ROWS:
                self._flush_rejections()
            self.on_progress(processed)
        self._flush_rejections()
        return self.tally

    def _flush_rejections(self) -> None:
        ImportRejection.objects.bulk_create(self.rejections)
        self.rejections.clear()

    def _clean_chunk(
        self, chunk: list[tuple[int, list[str]]], headers: list[str]
    ) -> list[CleanRow]:
        accepted = []
        for line, cells in chunk:
            try:
                row = clean_row(line, cells, self.job.mapping, headers)
            except InvalidValue as exc:
                self.reject(line, str(exc))
                continue
            email, rpps = row.values["email"], row.values.get("rpps", "")
            if email in self.seen_emails:
                self.reject(
                    line,
                    _("duplicate of line %(line)d (same email address)")
                    % {"line": self.seen_emails[email]},
                )
                continue
            if rpps and rpps in self.seen_rpps:
                self.reject(
                    line,
                    _("duplicate of line %(line)d (same RPPS number)")
                    % {"line": self.seen_rpps[rpps]},
                )
                continue
            self.seen_emails[email] = line
            if rpps:
                self.seen_rpps[rpps] = line
            accepted.append(row)
        return accepted

    def _process_chunk(self, chunk: list[tuple[int, list[str]]], headers: list[str]) -> None:
        rows = self._clean_chunk(chunk, headers)
        if not rows:
            return
        if self.write:
            self._create_missing_practices(rows)
        organisation_id = self.job.organisation_id
        emails = [r.values["email"] for r in rows]
        rpps_numbers = [r.values["rpps"] for r in rows if r.values.get("rpps")]
        # Two indexed lookups rather than one OR, which SQLite would answer by a scan.
        in_org = Person.objects.filter(organisation_id=organisation_id).select_related("practice")
        existing = list(in_org.filter(email__in=emails))
        if rpps_numbers:
            known = {p.pk for p in existing}
            existing += [p for p in in_org.filter(rpps__in=rpps_numbers) if p.pk not in known]
        by_email = {p.email: p for p in existing if p.email}
        by_rpps = {p.rpps: p for p in by_email.values() if p.rpps}
        by_rpps.update({p.rpps: p for p in existing if p.rpps and p.rpps not in by_rpps})
        suppressed = suppressed_among(organisation_id, [e for e in emails if e not in by_email])
        tags_held = self._tags_held([p.pk for p in existing])
        to_create: list[CleanRow] = []
        to_update: list[tuple[Person, CleanRow]] = []
        to_link: list[Person] = []
        for row in rows:
            email, rpps = row.values["email"], row.values.get("rpps", "")
            person = by_email.get(email)
            other = by_rpps.get(rpps) if rpps else None
            if person is not None and other is not None and other.pk != person.pk:
                self.reject(
                    row.line,
                    _("the email address and the RPPS number belong to two different people"),
                )
                continue
            person = person or other
            if person is None:
                if email in suppressed:
                    self.reject(
                        row.line,
                        _("suppressed address (unsubscribed, bounced or erased): not imported"),
                    )
                    continue
                self.tally.new += 1
                to_create.append(row)
            elif self._apply_values(person, row) or set(row.tags) - tags_held.get(person.pk, set()):
                # A new tag on a known person is an update too: the file changed them.
                self.tally.updated += 1
                to_update.append((person, row))
            else:
                self.tally.unchanged += 1
                to_link.append(person)
            if row.warnings:
                self.warn(row)
        if self.write:
            self._write(to_create, to_update)
            self._link(to_create, [p for p, _row in to_update] + to_link)

    def _tags_held(self, person_ids: list[int]) -> dict[int, set[str]]:
        held: dict[int, set[str]] = {}
        if person_ids:
            links = Person.tags.through.objects.filter(person_id__in=person_ids).values_list(
                "person_id", "tag__name"
            )
            for person_id, name in links:
                held.setdefault(person_id, set()).add(name)
        return held

    def _link(self, created: list[CleanRow], known: list[Person]) -> None:
        """Remember who this import listed, for "people of this import" segments."""
        ids = {p.pk for p in known}
        if created:
            ids.update(
                Person.objects.filter(
                    organisation_id=self.job.organisation_id,
                    email__in=[r.values["email"] for r in created],
                ).values_list("pk", flat=True)
            )
        through = ImportJob.people.through
        through.objects.bulk_create(
            [through(importjob_id=self.job.pk, person_id=pk) for pk in ids], ignore_conflicts=True
        )

    def _apply_values(self, person: Person, row: CleanRow) -> bool:
        """Copy the row's values onto `person`; True when something changed."""
        changed = False
        for name in ("email", *PERSON_FIELDS):
            value = row.values.get(name)
            if value and getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        if row.values.get("practice_name") and self.write:
            practice_id = self.practices[self._practice_key(row)]
            if person.practice_id != practice_id:
                person.practice_id = practice_id
                changed = True
        elif row.values.get("practice_name") and person.pk:
            current = person.practice.name.lower() if person.practice else ""
            changed = changed or current != row.values["practice_name"].lower()
        return changed

    @staticmethod
    def _practice_key(row: CleanRow) -> tuple[str, str]:
        return (row.values["practice_name"].lower(), row.values.get("commune", ""))

    def _create_missing_practices(self, rows: list[CleanRow]) -> None:
        missing: dict[tuple[str, str], Practice] = {}
        for row in rows:
            if not row.values.get("practice_name"):
                continue
            key = self._practice_key(row)
            if key not in self.practices and key not in missing:
                missing[key] = Practice(
                    organisation_id=self.job.organisation_id,
                    name=row.values["practice_name"],
                    commune=row.values.get("commune", ""),
                    address=row.values.get("practice_address", ""),
                    postcode=row.values.get("postcode", ""),
                    departement=row.values.get("departement", ""),
                )
        if missing:
            created = Practice.objects.bulk_create(list(missing.values()))
            for key, practice in zip(missing, created, strict=True):
                self.practices[key] = practice.pk

    def _tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name], _created = Tag.objects.get_or_create(
                organisation_id=self.job.organisation_id, name=name
            )
        return self.tags[name]

    def _write(self, to_create: list[CleanRow], to_update: list[tuple[Person, CleanRow]]) -> None:
        created_ids = self._insert_people(to_create)
        for person, _row in to_update:
            person.updated_at = self.now
        if to_update:
            Person.objects.bulk_update(
                [p for p, _row in to_update],
                ["email", *PERSON_FIELDS, "practice", "updated_at"],
            )
        through = Person.tags.through
        links = [
            through(person_id=person_id, tag_id=self._tag(tag_name).pk)
            for person_id, row in [
                *((created_ids[r.values["email"]], r) for r in to_create if r.tags),
                *((p.pk, r) for p, r in to_update),
            ]
            for tag_name in row.tags
        ]
        if links:
            through.objects.bulk_create(links, ignore_conflicts=True)

    def _insert_people(self, rows: list[CleanRow]) -> dict[str, int]:
        """Insert new people in one prepared statement (see hygie.lib.bulk).

        Returns the new ids by email for the rows that carry tags.
        """
        if not rows:
            return {}
        columns = (
            "organisation_id",
            "pseudonym",
            "email",
            *PERSON_FIELDS,
            "practice_id",
            "status",
            "created_at",
            "updated_at",
        )
        now = connection.ops.adapt_datetimefield_value(self.now)
        defaults = {"profession": Profession.DOCTOR, "language": Language.FR}
        params = []
        for row in rows:
            values = row.values
            practice_id = (
                self.practices[self._practice_key(row)] if values.get("practice_name") else None
            )
            params.append(
                (
                    self.job.organisation_id,
                    new_pseudonym(),
                    values["email"],
                    *(
                        values.get(name) or defaults.get(name, None if name == "rpps" else "")
                        for name in PERSON_FIELDS
                    ),
                    practice_id,
                    PersonStatus.ACTIVE.value,
                    now,
                    now,
                )
            )
        insert_rows(Person, columns, params)
        tagged = [r.values["email"] for r in rows if r.tags]
        if not tagged:
            return {}
        found = Person.objects.filter(
            organisation_id=self.job.organisation_id, email__in=tagged
        ).values_list("email", "pk")
        return {email: pk for email, pk in found if email}


def _progress_saver(job: ImportJob) -> Callable[[int], None]:
    def save(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress_rows=rows)

    return save


def _open(job: ImportJob) -> Table:
    path = Path(job.stored_path)
    if not path.exists():
        raise ImportFailed(_("The uploaded file is no longer available; upload it again."))
    try:
        return open_table(path)
    except UnreadableFile as exc:
        raise ImportFailed(str(exc)) from None


def read_headers(job: ImportJob) -> Table:
    """Open the file and record its format, encoding, separator and headers on the job."""
    table = _open(job)
    job.file_format = table.file_format
    job.encoding = table.encoding
    job.delimiter = table.delimiter
    job.headers = table.headers
    job.estimated_rows = table.estimated_rows
    return table


def analyse(job: ImportJob) -> dict[str, int]:
    """Dry run: classify every row and store the counts and the rejections."""
    problems = mapping_problems(job.mapping)
    if problems:
        raise ImportFailed(" ".join(problems))
    ImportRejection.objects.filter(job=job).delete()
    table = _open(job)
    try:
        tally = ImportPass(job, write=False, on_progress=_progress_saver(job)).run(table)
    except UnreadableFile as exc:
        raise ImportFailed(str(exc)) from None
    finally:
        table.close()
    return tally.as_dict()


def apply(job: ImportJob, *, on_progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write every accepted row in one transaction: all of them or none."""
    table = _open(job)
    try:
        with transaction.atomic():
            # The report of this pass replaces the one of the dry run.
            ImportRejection.objects.filter(job=job).delete()
            tally = ImportPass(job, write=True, on_progress=on_progress or (lambda _n: None)).run(
                table
            )
    except UnreadableFile as exc:
        raise ImportFailed(str(exc)) from None
    finally:
        table.close()
    return tally.as_dict()


def mark(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


__all__ = ["ImportFailed", "ImportStatus", "analyse", "apply", "mark", "read_headers"]
