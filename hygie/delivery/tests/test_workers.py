"""Real worker processes against a real SMTP server: crashes and concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from hygie.testing import databases
from hygie.testing.faults import SETUP, base_env, manage, wait_for
from hygie.testing.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[3]


def environment(database_url: str, var: Path, smtp: SmtpServer, **extra: str) -> dict[str, str]:
    # Production mode (DEBUG would keep every query of a long run in memory); workers
    # here never wait between steps.
    return base_env(database_url, var, smtp.port, **{"HYGIE_WORKER_IDLE_SECONDS": "0", **extra})


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def recipients(smtp: SmtpServer) -> Counter[str]:
    with smtp.handler.lock:
        return Counter(r for message in smtp.messages for r in message.recipients)


def migrated_sqlite(env: dict[str, str], path: Path) -> None:
    """A migrated SQLite file at `path`: a copy of the run's template (`django_db_setup`
    makes it on SQLite), or migrated from nothing when there is none."""
    if not databases.sqlite_copy(path):
        manage(env, "migrate", "-v0")


@pytest.fixture
def smtp() -> SmtpServer:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# A SQLite file of the test's own: the same test on both runs. A database restart under
# PostgreSQL workers is hygie/operations/tests/test_faults.py's.
@pytest.mark.own_database
def test_a_killed_worker_loses_nothing_and_repeats_at_most_one(tmp_path, smtp, django_db_setup):
    count = 300
    env = environment(f"sqlite:///{tmp_path}/kill.sqlite3", tmp_path, smtp)
    migrated_sqlite(env, tmp_path / "kill.sqlite3")
    assert manage(env, "shell", "-c", SETUP.format(count=count)).strip().endswith(str(count))
    smtp.handler.delay = 0.005  # slow enough to be caught in the middle of a batch

    first = start_worker(env)
    assert wait_for(lambda: sum(recipients(smtp).values()) >= 120, 60), first.stderr
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = sum(recipients(smtp).values())
    assert at_kill < count  # the kill did land in the middle of the work

    second = start_worker(env)
    try:
        assert wait_for(lambda: len(recipients(smtp)) == count, 90), len(recipients(smtp))
        time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    received = recipients(smtp)
    assert len(received) == count
    repeated = [address for address, n in received.items() if n > 1]
    assert len(repeated) <= 1, repeated
    assert max(received.values()) <= 2


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (the suite's second run provides it)",
)
def test_three_workers_share_a_campaign_without_duplicates(
    tmp_path, smtp, django_db_setup, django_db_blocker
):
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"hygie_workers_{uuid.uuid4().hex[:8]}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with django_db_blocker.unblock():
        databases.create_copy(name)  # migrated already: a copy of the run's template
    try:
        # 60 batches for three workers: each claims many times against the others. The
        # 20,000-recipient run is a benchmark (`make bench ONLY=faults`).
        count = 1_500
        env = environment(
            base.rsplit("/", 1)[0] + f"/{name}", tmp_path, smtp, HYGIE_DELIVERY_BATCH_SIZE="25"
        )
        manage(env, "shell", "-c", SETUP.format(count=count))
        started = time.monotonic()
        workers = [start_worker(env) for _ in range(3)]
        try:
            assert wait_for(lambda: sum(recipients(smtp).values()) >= count, 240)
            print(f"sent {count} in {time.monotonic() - started:.1f}s")
            time.sleep(1)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)
        received = recipients(smtp)
        assert len(received) == count
        assert max(received.values()) == 1
        assert all(worker.returncode == 0 for worker in workers)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# PostgreSQL's counterpart: test_faults.py, a slow relay against a short lease.
@pytest.mark.own_database
def test_a_slow_relay_outlasting_the_lease_sends_nothing_twice(tmp_path, smtp, django_db_setup):
    # One worker claims the whole campaign as one batch that takes twice its lease;
    # the other, idle, must not take over the rows still waiting.
    count = 60
    env = environment(
        f"sqlite:///{tmp_path}/slow.sqlite3",
        tmp_path,
        smtp,
        HYGIE_DELIVERY_BATCH_SIZE=str(count),
        HYGIE_WORKER_IDLE_SECONDS="1",
    )
    migrated_sqlite(env, tmp_path / "slow.sqlite3")
    manage(env, "shell", "-c", SETUP.format(count=count))
    smtp.handler.delay = 0.17  # about 10 s for the batch, against a 5 s lease
    workers = [start_worker(env) for _ in range(2)]
    try:
        assert wait_for(lambda: len(recipients(smtp)) == count, 90), len(recipients(smtp))
        time.sleep(1.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    received = recipients(smtp)
    assert len(received) == count
    assert max(received.values()) == 1, [a for a, n in received.items() if n > 1]
