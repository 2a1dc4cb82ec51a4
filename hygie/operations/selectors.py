from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django_tasks_db.models import DBTaskResult

from hygie.operations.models import Heartbeat, PeriodicJob


@dataclass(frozen=True)
class ProcessStatus:
    heartbeat: Heartbeat
    alive: bool


def process_statuses() -> list[ProcessStatus]:
    interval = settings.HEARTBEAT_INTERVAL_SECONDS
    tick = max(interval, settings.SCHEDULER_TICK_SECONDS)
    return [
        ProcessStatus(heartbeat=hb, alive=hb.is_alive(interval_seconds=tick))
        for hb in Heartbeat.objects.filter(stopped_at__isnull=True)[:50]
    ]


def periodic_jobs() -> list[PeriodicJob]:
    return list(PeriodicJob.objects.all())


def job_counts() -> dict[str, int]:
    rows = DBTaskResult.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
