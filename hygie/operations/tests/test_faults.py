"""Fault injection: real workers and schedulers against a private PostgreSQL server and a
recording SMTP server, with the faults a production platform meets.

Each test asserts per recipient: sent exactly once (a database outage may repeat at
most the one message each worker had on the wire), nothing left stuck, and no
process to restart by hand. The server is the test's own (initdb in a temporary
folder, its own port), stopped and started by the test; its template database is a copy
of the run's migrated template (hygie/testing/databases.py), and each test gets a fresh
database copied from it.

Runs with the PostgreSQL pass of the suite (DATABASE_URL=postgresql://…), where the
server binaries are installed. A larger run: `make bench ONLY=faults`.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from hygie.testing import databases
from hygie.testing.faults import TEMPLATE, Platform, wait_for
from hygie.testing.postgres import PrivatePostgres, binaries
from hygie.testing.smtp import SmtpServer, free_port

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL faults: run with the PostgreSQL pass of the suite",
    ),
    pytest.mark.skipif(binaries() is None, reason="PostgreSQL server binaries not installed"),
]


@pytest.fixture(scope="module")
def server(django_db_setup: None, django_db_blocker) -> Iterator[PrivatePostgres]:  # type: ignore[no-untyped-def]
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        pg.sql(f'CREATE DATABASE "{TEMPLATE}"')
        # Migrated already: a copy of the run's template on the suite's server (pg_dump
        # takes a second where migrating from nothing takes a process and several).
        with django_db_blocker.unblock():
            source = databases.template_url()
        pg.restore(source, TEMPLATE)
        yield pg
    finally:
        pg.destroy()


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
        here.kill_all()
        smtp.stop()
        server.sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


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


def get(url: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own local server
        url,
        headers={
            "Host": "localhost",
            "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
            "Accept-Language": "fr-FR,fr;q=0.9",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def test_tracking_through_a_database_restart_answers_and_records_every_hit_once(
    platform: Platform,
):
    count = 150
    prefix, tokens = platform.simulation(count)
    port = free_port()
    platform.tracking_server(port)
    platform.start("worker")  # replays what the tracking server spooled, if it is first
    base = f"http://127.0.0.1:{port}"
    assert wait_for(lambda: get(f"{base}/healthz") == 200, 60), platform.logs()
    answers: Counter[int] = Counter()
    during_outage: list[int] = []
    down = threading.Event()

    def hit_every_link() -> None:
        for token in tokens:
            status = get(f"{base}/{prefix}/{token}/")
            answers[status] += 1
            if down.is_set():
                during_outage.append(status)
            time.sleep(0.04)

    hitting = threading.Thread(target=hit_every_link)
    hitting.start()
    assert wait_for(lambda: sum(answers.values()) >= 30, 60)
    down.set()
    platform.pg.outage(6)
    down.clear()
    hitting.join(120)
    back_at = time.monotonic()

    def recorded() -> tuple[int, int]:
        rows = platform.rows(
            "SELECT count(*), count(DISTINCT delivery_id) FROM phishing_simulationevent"
            " WHERE kind = 'click'"
        )
        return rows[0][0], rows[0][1]

    assert wait_for(lambda: recorded() == (count, count), 60), (recorded(), platform.logs())
    time.sleep(2)  # and nothing more comes
    assert recorded() == (count, count)
    codes = platform.stop_all()
    report(
        "tracking_restart",
        hits=count,
        answered_during_outage=len(during_outage),
        recorded_after_seconds=round(time.monotonic() - back_at, 1),
    )
    assert answers == {200: count}, answers
    assert during_outage and set(during_outage) == {200}
    assert codes["worker"] == [0]
