"""Background worker: runs queued jobs and (later) due deliveries. Run as many as needed."""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from hygie.operations.loop import StopFlag, run_forever, run_isolated
from hygie.operations.models import ProcessKind
from hygie.operations.schedule import WORKER_STEPS
from hygie.operations.services import HeartbeatHandle

logger = logging.getLogger("hygie.worker")

# Jobs run per step before the loop beats again; keeps heartbeats regular
# even when the queue is long.
JOBS_PER_STEP = 20


class WorkerProcess:
    def __init__(self, *, stop: StopFlag) -> None:
        self.stop = stop
        self.heartbeat = HeartbeatHandle(ProcessKind.WORKER)
        self.jobs_done = 0
        self._last_beat = 0.0

    def beat_if_due(self) -> None:
        if time.monotonic() - self._last_beat >= settings.HEARTBEAT_INTERVAL_SECONDS:
            self.heartbeat.beat(jobs_done=self.jobs_done)
            self._last_beat = time.monotonic()

    def run_jobs(self) -> int:
        """Run up to JOBS_PER_STEP queued jobs; returns how many ran."""
        runner = TaskWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=JOBS_PER_STEP,
            worker_id=self.heartbeat.process_id[-64:],
            excluded_queue_names=[],
        )
        # Finish the job in hand on SIGTERM, then stop taking new ones.
        runner.running = not self.stop.is_set
        runner.run()
        return int(runner._run_tasks)

    def step(self) -> bool:
        self.beat_if_due()
        ran = self.run_jobs()
        self.jobs_done += ran
        for worker_step in WORKER_STEPS:
            if self.stop.is_set:
                break
            worker_id = self.heartbeat.process_id[-100:]
            ran += run_isolated(
                f"{worker_step.__module__}.{worker_step.__qualname__}",
                partial(worker_step, worker_id),
            )
        return ran > 0


class Command(BaseCommand):
    help = "Run the background worker (jobs and deliveries) until SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = StopFlag()
        stop.install()
        process = WorkerProcess(stop=stop)
        logger.info("worker started", extra={"process_id": process.heartbeat.process_id})
        try:
            run_forever(process.step, stop=stop, idle_seconds=settings.WORKER_IDLE_SECONDS)
        finally:
            process.heartbeat.stop()
            logger.info("worker stopped", extra={"jobs_done": process.jobs_done})
