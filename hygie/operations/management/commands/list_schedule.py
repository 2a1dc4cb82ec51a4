"""List everything the scheduler and the workers run, and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from hygie.operations.models import PeriodicJob
from hygie.operations.schedule import DUE_WORK_SOURCES, PERIODIC_JOBS, WORKER_STEPS


def describe(function: Callable[..., Any]) -> str:
    doc = (function.__doc__ or "").strip().splitlines()
    return f"{function.__module__}.{function.__qualname__}" + (f" — {doc[0]}" if doc else "")


class Command(BaseCommand):
    help = "List the periodic jobs (with their next run), the due-work sources and worker steps."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            next_runs = dict(PeriodicJob.objects.values_list("name", "next_run_at"))
        except DatabaseError:  # not migrated yet: the list is still worth printing
            next_runs = {}
        out = self.stdout
        out.write("Periodic jobs (run by the scheduler):")
        for spec in PERIODIC_JOBS:
            due = next_runs.get(spec.name)
            when = timezone.localtime(due).isoformat(timespec="minutes") if due else "at start"
            out.write(f"  {spec.name}: every {spec.every}, next {when} — {spec.why}")
        out.write("Due work (checked by the scheduler at each tick, in this order):")
        for source in DUE_WORK_SOURCES:
            out.write(f"  {describe(source)}")
        out.write("Worker steps (run by every worker after its queued jobs, in this order):")
        for step in WORKER_STEPS:
            out.write(f"  {describe(step)}")
