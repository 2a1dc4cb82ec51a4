"""Heartbeats and scheduling, shared by the worker and the scheduler processes."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from hygie.operations.loop import run_isolated
from hygie.operations.models import Heartbeat, PeriodicJob
from hygie.operations.schedule import DUE_WORK_SOURCES, PERIODIC_JOBS, PeriodicJobSpec

logger = logging.getLogger(__name__)


class HeartbeatHandle:
    """The heartbeat row of the current process."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.hostname = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.process_id = f"{kind}:{self.hostname}:{self.pid}:{self.started_at.timestamp():.0f}"

    def beat(self, **details: object) -> None:
        now = timezone.now()
        Heartbeat.objects.update_or_create(
            process_id=self.process_id,
            defaults={
                "kind": self.kind,
                "hostname": self.hostname,
                "pid": self.pid,
                "started_at": self.started_at,
                "last_seen_at": now,
                "details": details,
            },
        )

    def stop(self) -> None:
        """Mark the process stopped, if the database can be reached (it may be the
        reason the process stops)."""
        try:
            Heartbeat.objects.filter(process_id=self.process_id).update(stopped_at=timezone.now())
        except DatabaseError as exc:
            logger.warning(
                "stop not recorded: database unavailable", extra={"error": str(exc)[:300]}
            )


def periodic_jobs_ensure(*, now: datetime | None = None) -> None:
    """Create the bookkeeping row of each job; a new job first runs right away."""
    now = now or timezone.now()
    for spec in PERIODIC_JOBS:
        PeriodicJob.objects.get_or_create(name=spec.name, defaults={"next_run_at": now})


def _claim_run(spec: PeriodicJobSpec, now: datetime) -> bool:
    job = PeriodicJob.objects.get(name=spec.name)
    if job.next_run_at > now:
        return False
    # Optimistic claim: only the scheduler whose update still sees the old due
    # time wins; a second scheduler running the same tick updates nothing.
    won = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
        next_run_at=now + spec.every, last_run_at=now, runs=job.runs + 1
    )
    return won == 1


def periodic_jobs_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose time has come. Returns the names enqueued."""
    now = now or timezone.now()
    periodic_jobs_ensure(now=now)
    enqueued = []
    for spec in PERIODIC_JOBS:
        with transaction.atomic():
            if not _claim_run(spec, now):
                continue
            result = spec.task.enqueue()
            PeriodicJob.objects.filter(name=spec.name).update(last_task_id=str(result.id))
        enqueued.append(spec.name)
        logger.info("periodic job enqueued", extra={"job": spec.name})
    return enqueued


def due_work_start() -> int:
    """Let each app turn its due rows into work; returns how many items were started.

    One source's failure (two schedulers racing into a constraint, a bug) is logged
    and does not stop the others nor the scheduler."""
    return sum(
        run_isolated(f"{source.__module__}.{source.__qualname__}", source)
        for source in DUE_WORK_SOURCES
    )
