"""Background jobs of the audience app: analysing and applying imports."""

from __future__ import annotations

import logging

from django.tasks import task

from hygie.audience import importing
from hygie.audience.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


@task()
def analyse_import(job_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.ANALYSING:
        return  # cancelled or changed since it was queued
    try:
        counts = importing.analyse(job)
    except importing.ImportFailed as exc:
        importing.mark(job, ImportStatus.FAILED, error=str(exc))
        return
    importing.mark(job, ImportStatus.PREVIEWED, counts=counts, error="")


@task()
def apply_import(job_id: int) -> None:
    from hygie.audience.services import import_finish

    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.APPLYING:
        return
    try:
        counts = importing.apply(job)
    except importing.ImportFailed as exc:
        importing.mark(job, ImportStatus.FAILED, error=str(exc))
        return
    except Exception as exc:  # a database error mid-way: nothing was written
        logger.exception("import failed", extra={"job": job.pk})
        importing.mark(job, ImportStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return
    import_finish(job=job, counts=counts)
