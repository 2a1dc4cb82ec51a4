"""A database outage in the middle of a large campaign, with real processes.

A private PostgreSQL server (initdb in a temporary folder, its own port), three
workers and a scheduler send a 20,000-recipient campaign to a recording SMTP
server; after 5,000 messages the database is crashed (`pg_ctl -m immediate`) and
started again 15 s later. Figures: messages sent twice (at most one per worker is
the promise), seconds from the crash until every message is marked sent, processes
that exited (0 is the promise: none to restart by hand). Baseline: the same
campaign without the outage, in the same run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import emit
from hygie.testing.faults import Platform, base_env, manage, wait_for
from hygie.testing.postgres import PrivatePostgres
from hygie.testing.smtp import SmtpServer

RECIPIENTS = 20_000
WORKERS = 3
OUTAGE_SECONDS = 15
CRASH_AFTER = 5_000


def campaign(pg: PrivatePostgres, name: str, *, outage: bool) -> dict[str, float]:
    pg.sql(f'CREATE DATABASE "{name}"')
    smtp = SmtpServer()
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="hygie-bench-faults-") as var:
        platform = Platform(pg, name, Path(var), smtp)
        env = base_env(
            pg.url(name),
            Path(var),
            smtp.port,
            HYGIE_DELIVERY_BATCH_SIZE="200",
            HYGIE_DELIVERY_LEASE_SECONDS="30",
        )
        manage(env, "migrate", "-v0")
        platform.campaign(RECIPIENTS)
        started = time.monotonic()
        for _ in range(WORKERS):
            platform.start("worker", HYGIE_DELIVERY_BATCH_SIZE="200")
        platform.start("scheduler")
        crash_to_done = 0.0
        if outage:
            wait_for(lambda: sum(platform.received().values()) >= CRASH_AFTER, 600)
            crashed = time.monotonic()
            pg.outage(OUTAGE_SECONDS)
        wait_for(lambda: len(platform.received()) >= RECIPIENTS, 900)
        wait_for(lambda: platform.statuses() == {"sent": RECIPIENTS}, 300)
        if outage:
            crash_to_done = time.monotonic() - crashed
        seconds = time.monotonic() - started
        received = platform.received()
        exited = sum(1 for _, p, _ in platform.processes if p.poll() is not None)
        if not exited:
            platform.stop_all()
        platform.kill_all()
    smtp.stop()
    pg.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "seconds": seconds,
        "crash_to_all_sent": crash_to_done,
        "missing": RECIPIENTS - len(received),
        "duplicates": sum(received.values()) - len(received),
        "exited": exited,
    }


def run() -> None:
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        calm = campaign(pg, "faults_calm", outage=False)
        rough = campaign(pg, "faults_outage", outage=True)
    finally:
        pg.destroy()
    emit(
        "faults",
        f"seconds_to_send_{RECIPIENTS}_with_{OUTAGE_SECONDS}s_outage",
        rough["seconds"],
        "seconds",
        "same campaign without outage",
        calm["seconds"],
        higher_is_better=False,
    )
    emit("faults", "seconds_from_crash_to_all_marked_sent", rough["crash_to_all_sent"], "seconds")
    emit("faults", "messages_missing", rough["missing"], "messages")
    emit("faults", "messages_sent_twice", rough["duplicates"], "messages")
    emit("faults", "processes_exited", rough["exited"], "processes")


if __name__ == "__main__":
    run()
