"""Housekeeping jobs run by the worker. Each is idempotent and safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hygie.operations.models import Heartbeat, Snapshot

TASK_RESULT_RETENTION_DAYS = 14
STOPPED_HEARTBEAT_RETENTION_DAYS = 7


@task()
def prune_task_results() -> int:
    """Delete finished background-job results older than the retention period."""
    cutoff = timezone.now() - timedelta(days=TASK_RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@task()
def prune_heartbeats() -> int:
    """Forget processes that have not been seen for a week."""
    cutoff = timezone.now() - timedelta(days=STOPPED_HEARTBEAT_RETENTION_DAYS)
    deleted, _ = Heartbeat.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


@task()
def refresh_snapshot(name: str, arguments: list[object]) -> float:
    """Recompute kept figures of a page (queued by a view that found them stale)."""
    from hygie.operations import snapshots

    if name not in snapshots.COMPUTATIONS:
        return 0.0
    try:
        _value, row = snapshots.compute(name, *arguments)
    except ObjectDoesNotExist:  # the campaign was deleted meanwhile
        Snapshot.objects.filter(key=snapshots.key_of(name, tuple(arguments))).delete()
        return 0.0
    return row.seconds
