"""Writes on the audience: imports, people's rights, segments. Audited, transactional."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.audience import importing
from hygie.audience.mapping import IMPORT_FIELDS, guess_mapping, mapping_problems
from hygie.audience.models import (
    ImportJob,
    ImportStatus,
    Person,
    PersonStatus,
    PracticeRole,
    Segment,
    Suppression,
    SuppressionReason,
)
from hygie.audience.segments import SegmentFilters
from hygie.audience.suppression_list import address_hash
from hygie.audience.tabular import Table
from hygie.audience.tasks import analyse_import, apply_import
from hygie.lib import events

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")


def _imports_dir(organisation: Organisation) -> Path:
    directory = Path(settings.VAR_DIR) / "imports" / str(organisation.pk)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def import_upload(
    *,
    organisation: Organisation,
    actor: Actor,
    upload: UploadedFile[bytes],
) -> ImportJob:
    """Keep the uploaded file, read its headers and guess the column mapping."""
    name = Path(upload.name or "file").name
    if not name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise ValidationError(_("Choose a CSV or Excel (.xlsx) file."))
    if upload.size and upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.IMPORT_MAX_BYTES // 2**20}
        )
    path = _imports_dir(organisation) / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    with path.open("wb") as target:
        for piece in upload.chunks():
            target.write(piece)
    job = ImportJob(
        organisation=organisation,
        created_by=actor.user,
        filename=name[:255],
        stored_path=str(path),
        file_size=path.stat().st_size,
    )
    try:
        table = importing.read_headers(job)
    except importing.ImportFailed as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(str(exc)) from None
    except BaseException:
        # Whatever happens, a refused upload leaves no file behind.
        path.unlink(missing_ok=True)
        raise
    table.close()
    if not any(job.headers):
        path.unlink(missing_ok=True)
        raise ValidationError(_("The first row must hold the column names."))
    job.mapping = guess_mapping(job.headers)
    job.save()
    audit_record(
        action="import.uploaded",
        actor=actor,
        organisation=organisation,
        target=job,
        details={"filename": job.filename, "size": job.file_size},
    )
    return job


@transaction.atomic
def import_analyse(
    *, job: ImportJob, mapping: dict[str, str], keep_extra_as_tags: bool = False
) -> ImportJob:
    """Record the confirmed mapping and queue the dry run."""
    if job.status not in {ImportStatus.PENDING, ImportStatus.PREVIEWED, ImportStatus.FAILED}:
        raise ValidationError(_("This import can no longer be changed."))
    problems = mapping_problems(mapping)
    if problems:
        raise ValidationError(problems)
    if keep_extra_as_tags:
        mapping = {k: (v or "tag") for k, v in mapping.items()}
    job.mapping = mapping
    job.keep_extra_as_tags = keep_extra_as_tags
    job.status = ImportStatus.ANALYSING
    job.progress_rows = 0
    job.counts = {}
    job.error = ""
    job.save()
    transaction.on_commit(lambda: analyse_import.enqueue(job.pk))
    return job


@transaction.atomic
def import_confirm(*, job: ImportJob, actor: Actor) -> ImportJob:
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.APPLYING, progress_rows=0
    )
    if not updated:
        raise ValidationError(_("Only an analysed import can be confirmed."))
    job.refresh_from_db()
    audit_record(
        action="import.confirmed",
        actor=actor,
        organisation=job.organisation,
        target=job,
        details=job.counts,
    )
    transaction.on_commit(lambda: apply_import.enqueue(job.pk))
    return job


def import_finish(*, job: ImportJob, counts: dict[str, Any]) -> None:
    """The worker applied the import: recorded as the platform's, on behalf of the uploader."""
    Path(job.stored_path).unlink(missing_ok=True)
    importing.mark(job, ImportStatus.APPLIED, counts=counts, applied_at=timezone.now(), error="")
    audit_record(
        action="import.applied",
        actor=Actor.system(job.organisation, on_behalf_of=job.created_by),
        organisation=job.organisation,
        target=job,
        details=counts,
    )
    events.publish(
        events.IMPORT_FINISHED, organisation_id=job.organisation_id, import_id=job.pk, counts=counts
    )


def import_cancel(*, job: ImportJob, actor: Actor) -> None:
    if job.status in {ImportStatus.APPLYING, ImportStatus.APPLIED}:
        raise ValidationError(_("This import can no longer be cancelled."))
    Path(job.stored_path).unlink(missing_ok=True)
    importing.mark(job, ImportStatus.CANCELLED)
    audit_record(
        action="import.cancelled",
        actor=actor,
        organisation=job.organisation,
        target=job,
    )


def import_run_from_file(
    *,
    organisation: Organisation,
    path: Path,
    mapping: dict[str, str] | None = None,
    apply: bool = False,
) -> ImportJob:
    """The command-line import: analyse, and apply when asked, in this process."""
    job = ImportJob(
        organisation=organisation,
        filename=path.name,
        stored_path=str(path),
        file_size=path.stat().st_size,
    )
    table = importing.read_headers(job)
    table.close()
    job.mapping = mapping if mapping is not None else guess_mapping(job.headers)
    problems = mapping_problems(job.mapping)
    if problems:
        raise ValidationError(problems)
    job.save()
    job.counts = importing.analyse(job)
    importing.mark(job, ImportStatus.PREVIEWED, counts=job.counts)
    if apply:
        counts = importing.apply(job)
        importing.mark(job, ImportStatus.APPLIED, counts=counts, applied_at=timezone.now())
        audit_record(
            action="import.applied",
            actor=Actor.system(organisation),
            organisation=organisation,
            target=job,
            details={**counts, "source": "command line"},
        )
    return job


def people_upsert(
    *,
    organisation: Organisation,
    rows: list[dict[str, Any]],
    actor: Actor,
    source: str,
) -> ImportJob:
    """Create or update people from rows keyed by the import's field names (`IMPORT_FIELDS`).

    The rows go through the very pass a member file goes through (same cleaning, same
    matching by email then RPPS, same per-row reasons, numbered from 1), in one
    transaction. Applying the same rows twice changes nothing the second time.
    """
    headers = list(IMPORT_FIELDS)

    def cell(row: dict[str, Any], name: str) -> str:
        value = row.get(name)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return ";".join(str(v) for v in value)
        return str(value)

    job = ImportJob.objects.create(
        organisation=organisation,
        created_by=actor.user,
        filename=source[:255],
        stored_path="",
        file_format="api",
        headers=headers,
        mapping={str(index): name for index, name in enumerate(headers)},
        status=ImportStatus.APPLYING,
        estimated_rows=len(rows),
    )
    table = Table(
        file_format="api",
        headers=headers,
        estimated_rows=len(rows),
        _rows=iter(
            (line, [cell(row, name) for name in headers]) for line, row in enumerate(rows, 1)
        ),
    )
    with transaction.atomic():
        tally = importing.ImportPass(job, write=True, on_progress=lambda _n: None).run(table)
        counts = tally.as_dict()
        importing.mark(job, ImportStatus.APPLIED, counts=counts, applied_at=timezone.now())
        audit_record(
            action="import.applied",
            actor=actor,
            organisation=organisation,
            target=job,
            details={**counts, "source": source[:100]},
        )
        events.publish(
            events.IMPORT_FINISHED, organisation_id=organisation.pk, import_id=job.pk, counts=counts
        )
    return job


# --- People's rights ---------------------------------------------------------


def _suppress(person: Person, reason: str) -> None:
    if not person.email:
        return
    Suppression.objects.get_or_create(
        organisation_id=person.organisation_id,
        address_hash=address_hash(person.organisation_id, person.email),
        defaults={"reason": reason},
    )


@transaction.atomic
def person_unsubscribe(*, person: Person, source: str = "link") -> None:
    """Leave awareness emails: excluded from every future send, visible to the organisation."""
    if person.status == PersonStatus.ERASED:
        return
    _suppress(person, SuppressionReason.UNSUBSCRIBED)
    if person.status != PersonStatus.UNSUBSCRIBED:
        person.status = PersonStatus.UNSUBSCRIBED
        person.status_changed_at = timezone.now()
        person.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(
        action="person.unsubscribed",
        actor=Actor.public(person.organisation),
        organisation=person.organisation,
        target=person,
        details={"source": source},
    )


@transaction.atomic
def person_mark_bounced(*, organisation: Organisation, email: str) -> Person | None:
    """A hard bounce: the address is suppressed and its person stops receiving mail."""
    email = email.strip().lower()
    Suppression.objects.get_or_create(
        organisation=organisation,
        address_hash=address_hash(organisation.pk, email),
        defaults={"reason": SuppressionReason.BOUNCED},
    )
    person = Person.objects.filter(organisation=organisation, email=email).first()
    if person is not None and person.status == PersonStatus.ACTIVE:
        person.status = PersonStatus.BOUNCED
        person.status_changed_at = timezone.now()
        person.save(update_fields=["status", "status_changed_at", "updated_at"])
    return person


@transaction.atomic
def person_set_role(*, person: Person, role: str, actor: Actor) -> None:
    """Set the person's role in the practice (empty: not given)."""
    if role not in PracticeRole.values:
        raise ValidationError(_("Unknown role in the practice."))
    previous = person.practice_role
    person.practice_role = role
    person.save(update_fields=["practice_role", "updated_at"])
    audit_record(
        action="person.role_changed",
        actor=actor,
        organisation=person.organisation,
        target=person,
        details={"from": previous, "to": role},
    )


@transaction.atomic
def person_erase(*, person: Person, actor: Actor) -> None:
    """Remove the identity; keep the pseudonymous record (for anonymous statistics) and
    the address only as a suppression hash."""
    _suppress(person, SuppressionReason.ERASED)
    person.civility = ""
    person.first_name = ""
    person.last_name = ""
    person.email = None
    person.mobile_phone = ""
    person.rpps = None
    person.commune = ""
    person.practice = None
    person.status = PersonStatus.ERASED
    person.status_changed_at = timezone.now()
    person.save()
    person.tags.clear()
    # Messages already sent stay as anonymous facts for the statistics; the
    # address they went to is forgotten.
    person.deliveries.update(recipient="")
    audit_record(
        action="person.erased",
        actor=actor,
        organisation=person.organisation,
        target=person,
    )


def person_export_record(*, person: Person, actor: Actor) -> None:
    """A member of staff downloaded everything kept about the person."""
    audit_record(
        action="person.exported",
        actor=actor,
        organisation=person.organisation,
        target=person,
    )


# --- Segments ------------------------------------------------------------------


@transaction.atomic
def segment_save(
    *,
    organisation: Organisation,
    actor: Actor,
    name: str,
    description: str,
    filters: SegmentFilters,
    segment: Segment | None = None,
) -> Segment:
    is_new = segment is None
    segment = segment or Segment(organisation=organisation, created_by=actor.user)
    segment.name = name.strip()
    segment.description = description.strip()
    segment.filters = filters.to_json()
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:
        raise ValidationError({"name": _("A segment with this name already exists.")}) from None
    audit_record(
        action="segment.created" if is_new else "segment.updated",
        actor=actor,
        organisation=organisation,
        target=segment,
        details={"filters": segment.filters},
    )
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: Actor) -> None:
    audit_record(
        action="segment.deleted",
        actor=actor,
        organisation=segment.organisation,
        target=segment,
        details={"name": segment.name},
    )
    segment.delete()


__all__ = ["IMPORT_FIELDS"]
