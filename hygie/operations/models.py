"""Liveness of background processes and the bookkeeping of periodic jobs."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProcessKind(models.TextChoices):
    WORKER = "worker", _("Worker")
    SCHEDULER = "scheduler", _("Scheduler")


class Heartbeat(models.Model):
    """One row per running background process, refreshed every few seconds."""

    kind = models.CharField(max_length=16, choices=ProcessKind.choices)
    process_id = models.CharField(max_length=128, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("kind", "-last_seen_at")

    def __str__(self) -> str:
        return f"{self.kind} {self.process_id}"

    def is_alive(self, *, interval_seconds: int) -> bool:
        # Three missed beats in a row: the process is considered gone.
        limit = timezone.now() - timedelta(seconds=3 * interval_seconds)
        return self.stopped_at is None and self.last_seen_at >= limit


class PeriodicJob(models.Model):
    """When a periodic job is next due. The scheduler claims a run by moving `next_run_at`
    forward with a conditional update, so two schedulers never enqueue the same run."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Snapshot(models.Model):
    """The figures of a page, kept between views (see `hygie.operations.snapshots`).

    The payload is pickled by our own code only and thrown away when it no longer
    loads (after an upgrade, `migrate` empties the table)."""

    key = models.CharField(max_length=200, unique=True)
    payload = models.BinaryField()
    computed_at = models.DateTimeField()
    # How long the last computation took: cheap figures are recomputed at each view.
    seconds = models.FloatField(default=0)
    # Set while a background refresh is queued or running (claimed by conditional update).
    refreshing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class SpoolReplay(models.Model):
    """A spooled record already replayed into the database (see `hygie.operations.spool`).

    Written in the same transaction as what the record stands for, so that a record
    replayed twice (two replayers, a crash half-way through a file) counts once."""

    key = models.CharField(max_length=64, unique=True)
    replayed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key
