"""Scheduler: turns what is due into work. Running two at once is harmless."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hygie.operations.loop import StopFlag, run_forever
from hygie.operations.models import ProcessKind
from hygie.operations.services import HeartbeatHandle, due_work_start, periodic_jobs_enqueue_due

logger = logging.getLogger("hygie.scheduler")


class SchedulerProcess:
    def __init__(self) -> None:
        self.heartbeat = HeartbeatHandle(ProcessKind.SCHEDULER)
        self.ticks = 0

    def step(self) -> bool:
        enqueued = periodic_jobs_enqueue_due()
        started = due_work_start()
        self.ticks += 1
        self.heartbeat.beat(ticks=self.ticks, last_enqueued=enqueued, due_work_started=started)
        # Always idle between ticks: the scheduler only looks at due dates.
        return False


class Command(BaseCommand):
    help = "Run the scheduler until SIGTERM: enqueue periodic jobs and due work."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = StopFlag()
        stop.install()
        process = SchedulerProcess()
        logger.info("scheduler started", extra={"process_id": process.heartbeat.process_id})
        try:
            run_forever(process.step, stop=stop, idle_seconds=settings.SCHEDULER_TICK_SECONDS)
        finally:
            process.heartbeat.stop()
            logger.info("scheduler stopped", extra={"ticks": process.ticks})
