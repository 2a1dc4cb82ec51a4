"""Every periodic job of the platform, in one place.

Work that is due because of the data (a campaign's launch date, a programme's
next capsule, a reminder) lives in columns of that data and is found by the
apps' own `due_work` functions, listed in DUE_WORK_SOURCES. This module is only
for the few truly periodic chores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.tasks import Task

from hygie.operations import tasks


@dataclass(frozen=True)
class PeriodicJobSpec:
    name: str
    every: timedelta
    task: Task  # type: ignore[type-arg]
    why: str


PERIODIC_JOBS: tuple[PeriodicJobSpec, ...] = (
    PeriodicJobSpec(
        name="prune_task_results",
        every=timedelta(hours=6),
        task=tasks.prune_task_results,
        why="Finished job results are only useful for a short while; keep the table small.",
    ),
    PeriodicJobSpec(
        name="prune_heartbeats",
        every=timedelta(hours=1),
        task=tasks.prune_heartbeats,
        why="Processes gone for a week are not worth showing on the operations page.",
    ),
)

# Callables that turn due rows into work; each must be safe to run from two
# schedulers at once (claims by conditional update). Apps append here as they
# gain due dates: campaign launches, programme steps, reminders.
DUE_WORK_SOURCES: list[Callable[[], int]] = []

# Callables run by every worker step after the queued jobs, each given the
# worker's id and returning how much it did (for example: send due deliveries).
# Apps register here from their AppConfig.ready(), so that this module needs
# no knowledge of them.
WORKER_STEPS: list[Callable[[str], int]] = []
