"""What the scheduler and the workers run, registered in one place.

- PERIODIC_JOBS: the few truly periodic chores, listed here.
- DUE_WORK_SOURCES: work that is due because of the data (a campaign's launch date, a
  programme's next capsule, a reminder) lives in columns of that data; each app registers
  the function that finds it with `register_due_work` from its AppConfig.ready().
- WORKER_STEPS: what every worker step runs after the queued jobs (sending due messages,
  polling report mailboxes…), registered with `register_worker_step`.

`manage.py list_schedule` prints all three, in the order they run.
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


def register_due_work(*sources: Callable[[], int]) -> None:
    """Add due-work sources, in order, once each (ready() may run more than once)."""
    for source in sources:
        if source not in DUE_WORK_SOURCES:
            DUE_WORK_SOURCES.append(source)


def register_worker_step(*steps: Callable[[str], int]) -> None:
    """Add worker steps, in order, once each."""
    for step in steps:
        if step not in WORKER_STEPS:
            WORKER_STEPS.append(step)
