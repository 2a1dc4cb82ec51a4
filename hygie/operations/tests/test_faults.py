"""Fault injection: real workers and schedulers against a private PostgreSQL server and a
recording SMTP server, with the faults a production platform meets.

Each test asserts per recipient: sent exactly once (a database outage may repeat at
most the one message each worker had on the wire), nothing left stuck, and no
process to restart by hand. The server is the test's own (initdb in a temporary
folder, its own port), stopped and started by the test; it is migrated once per run
and each test gets a fresh database copied from it.

Runs with the PostgreSQL pass of the suite (DATABASE_URL=postgresql://…), where the
server binaries are installed. A larger run: `make bench ONLY=faults`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hygie.delivery.tests.test_workers import SETUP
from hygie.testing.postgres import PrivatePostgres, binaries
from hygie.testing.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL faults: run with the PostgreSQL pass of the suite",
    ),
    pytest.mark.skipif(binaries() is None, reason="PostgreSQL server binaries not installed"),
]

TEMPLATE = "hygie_template"


def base_env(database_url: str, var: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "test-only-" + "k" * 40,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "HYGIE_VAR_DIR": str(var),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "HYGIE_DELIVERY_LEASE_SECONDS": "5",
            "HYGIE_DELIVERY_BATCH_SIZE": "50",
            "HYGIE_WORKER_IDLE_SECONDS": "1",
            "HYGIE_HEARTBEAT_SECONDS": "1",
            "HYGIE_SCHEDULER_TICK_SECONDS": "1",
            "HYGIE_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        pg.sql(f'CREATE DATABASE "{TEMPLATE}"')
        var = tmp_path_factory.mktemp("template")
        manage(base_env(pg.url(TEMPLATE), var, 25), "migrate", "-v0")
        yield pg
    finally:
        pg.destroy()


@dataclass
class Platform:
    """One test's database, relay and processes."""

    pg: PrivatePostgres
    database: str
    var: Path
    smtp: SmtpServer
    processes: list[tuple[str, subprocess.Popen[str], Path]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.pg.url(self.database), self.var, self.smtp.port, **extra)

    def start(self, command: str, **extra: str) -> subprocess.Popen[str]:
        log = self.var / f"{command}-{len(self.processes)}.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "manage.py", command],
                cwd=ROOT,
                env=self.env(**extra),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
            )
        self.processes.append((command, process, log))
        return process

    def campaign(self, count: int) -> None:
        manage(self.env(), "shell", "-c", SETUP.format(count=count))

    def received(self) -> Counter[str]:
        with self.smtp.handler.lock:
            return Counter(r for m in self.smtp.messages for r in m.recipients)

    def rows(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.pg.url(self.database)) as connection:
            return list(connection.execute(query, params or None))  # type: ignore[arg-type]

    def statuses(self) -> dict[str, int]:
        return dict(self.rows("SELECT status, count(*) FROM delivery_delivery GROUP BY status"))  # type: ignore[arg-type]

    def restart_relay(self) -> None:
        self.smtp.controller = Controller(
            self.smtp.handler, hostname="127.0.0.1", port=self.smtp.port
        )
        self.smtp.start()

    def stop_all(self) -> dict[str, list[int | None]]:
        """SIGTERM every process still running; returns the exit codes by command and
        which had exited on their own before (there must be none)."""
        exited_early = [c for c, p, _ in self.processes if p.poll() is not None]
        for _, process, _ in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, list[int | None]] = {}
        for command, process, _ in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            codes.setdefault(command, []).append(process.returncode)
        assert exited_early == [], self.logs()
        return codes

    def logs(self) -> str:
        return "\n".join(f"--- {c}\n{log.read_text()[-2000:]}" for c, _, log in self.processes)


@pytest.fixture
def platform(server: PrivatePostgres, tmp_path: Path) -> Iterator[Platform]:
    database = f"faults_{uuid.uuid4().hex[:8]}"
    server.sql(f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE}"')
    smtp = SmtpServer()
    smtp.start()
    here = Platform(server, database, tmp_path, smtp)
    try:
        yield here
    finally:
        for _, process, _ in here.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        smtp.stop()
        server.sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def report(name: str, **figures: object) -> None:
    # Shown with `pytest -s`; docs/operations.md quotes them.
    print(f"\nfaults {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def test_a_slow_relay_against_a_short_lease_sends_each_message_once(platform: Platform):
    count = 80
    platform.campaign(count)
    platform.smtp.handler.delay = 0.12  # a batch takes about twice the 5 s lease
    started = time.monotonic()
    for _ in range(2):
        platform.start("worker", HYGIE_DELIVERY_BATCH_SIZE=str(count))
    assert wait_for(lambda: len(platform.received()) == count, 120), platform.logs()
    time.sleep(1)
    received = platform.received()
    codes = platform.stop_all()
    report(
        "slow_relay",
        recipients=count,
        seconds=round(time.monotonic() - started, 1),
        duplicates=sum(received.values()) - count,
    )
    assert max(received.values()) == 1
    assert platform.statuses() == {"sent": count}
    assert codes == {"worker": [0, 0]}


def test_a_database_restart_mid_campaign_loses_nothing_and_needs_no_restart(
    platform: Platform,
):
    count = 300
    platform.campaign(count)
    platform.smtp.handler.delay = 0.02
    workers = [platform.start("worker") for _ in range(2)]
    schedulers = [platform.start("scheduler") for _ in range(2)]  # two, racing
    assert wait_for(lambda: len(platform.received()) >= 60, 120), platform.logs()
    down_at = time.monotonic()
    platform.pg.outage(8)
    restarted = time.time()
    assert wait_for(lambda: len(platform.received()) == count, 120), platform.logs()
    assert wait_for(lambda: platform.statuses() == {"sent": count}, 60), platform.statuses()
    # The schedulers came back by themselves: they beat again after the restart.
    assert wait_for(
        lambda: (
            platform.rows(
                "SELECT count(*) FROM operations_heartbeat WHERE kind = 'scheduler'"
                " AND last_seen_at > to_timestamp(%s)",
                restarted,
            )[0][0]
            == 2
        ),
        30,
    ), platform.logs()
    assert all(p.poll() is None for p in workers + schedulers), platform.logs()
    received = platform.received()
    enqueued = platform.rows("SELECT name, runs FROM operations_periodicjob")
    codes = platform.stop_all()
    duplicates = sum(received.values()) - count
    report(
        "database_restart",
        recipients=count,
        outage_seconds=8,
        back_to_all_sent_seconds=round(time.monotonic() - down_at, 1),
        duplicates=duplicates,
    )
    assert len(received) == count
    assert duplicates <= len(workers)  # at most the message each worker had on the wire
    assert all(runs == 1 for _, runs in enqueued), enqueued  # two schedulers, one run each
    assert codes == {"worker": [0, 0], "scheduler": [0, 0]}
    assert "Traceback" not in platform.logs()


def test_a_relay_down_longer_than_a_batch_costs_time_not_attempts(platform: Platform):
    count = 200
    platform.campaign(count)
    platform.smtp.stop()
    for _ in range(2):
        platform.start("worker")
    # Both workers find the relay down and back off; it stays down for several batches.
    assert wait_for(
        lambda: (
            platform.rows("SELECT count(*) FROM delivery_delivery WHERE last_error <> ''")[0][0] > 0
        ),
        60,
    ), platform.logs()
    time.sleep(8)
    spent = platform.rows("SELECT max(attempts) FROM delivery_delivery")[0][0]
    back_at = time.monotonic()
    platform.restart_relay()
    assert wait_for(lambda: len(platform.received()) == count, 120), platform.logs()
    assert wait_for(lambda: platform.statuses() == {"sent": count}, 30), platform.statuses()
    received = platform.received()
    attempts = platform.rows("SELECT max(attempts) FROM delivery_delivery")[0][0]
    codes = platform.stop_all()
    report(
        "relay_down",
        recipients=count,
        down_seconds=">8",
        all_sent_after_back_seconds=round(time.monotonic() - back_at, 1),
    )
    assert spent == 0  # no attempt spent on a relay that was down
    assert attempts == 1  # each message went at its first real try
    assert max(received.values()) == 1
    assert codes == {"worker": [0, 0]}
