"""Worker and scheduler loops ride out a lost database and a failing job."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError

from hygie.operations import loop, services
from hygie.operations.loop import Backoff, StopFlag, run_forever, run_isolated
from hygie.operations.tests.test_processes import ROOT, base_env, wait_for_line
from hygie.testing.smtp import free_port


def quick() -> Backoff:
    return Backoff(first=0.001, most=0.005)


def test_the_loop_rides_out_a_lost_database_and_resumes(caplog, monkeypatch):
    closed = []
    monkeypatch.setattr(loop, "close_old_connections", lambda: None)
    monkeypatch.setattr(loop, "close_connections_quietly", lambda: closed.append(1))
    stop = StopFlag()
    faults = [OperationalError("server closed the connection"), InterfaceError("closed"), None]
    calls = []

    def step() -> bool:
        calls.append(1)
        fault = faults.pop(0)
        if fault is not None:
            raise fault
        stop.set()
        return True

    with caplog.at_level(logging.WARNING, logger="hygie.operations.loop"):
        run_forever(step, stop=stop, idle_seconds=0, backoff=quick())
    assert len(calls) == 3
    assert len(closed) == 2  # the broken connections were dropped each time
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("database unavailable, trying again") == 2
    assert messages[-1] == "database available again"


def test_the_waits_grow_with_jitter_up_to_a_ceiling():
    backoff = Backoff(first=1, most=8)
    delays = [backoff.next_delay() for _ in range(6)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4
    assert all(4 <= d <= 8 for d in delays[4:])
    backoff.reset()
    assert backoff.next_delay() <= 1


def test_a_connection_that_fails_to_close_does_not_stop_the_loop(monkeypatch):
    class Broken:
        connection = object()

        def close(self) -> None:
            raise OperationalError("terminating connection due to administrator command")

    class Handler:
        def all(self, initialized_only: bool = False) -> list[Broken]:
            return [Broken()]

    monkeypatch.setattr(loop, "connections", Handler())
    monkeypatch.setattr(loop, "close_old_connections", lambda: None)
    stop = StopFlag()
    outcomes: list[Exception | None] = [OperationalError("gone"), None]

    def step() -> bool:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        stop.set()
        return False

    run_forever(step, stop=stop, idle_seconds=0, backoff=quick())
    assert outcomes == []


def test_a_job_failing_is_that_jobs_failure_but_a_lost_database_goes_up(caplog):
    def clash() -> int:
        raise IntegrityError("duplicate key value violates unique constraint")

    with caplog.at_level(logging.ERROR, logger="hygie.operations.loop"):
        assert run_isolated("clash", clash) == 0
    assert caplog.records[0].getMessage() == "job failed"
    with pytest.raises(OperationalError):
        run_isolated("lost", lambda: (_ for _ in ()).throw(OperationalError("gone")))


def test_one_due_work_source_crashing_leaves_the_others_running(db, monkeypatch):
    def racing_roll_up() -> int:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "DUE_WORK_SOURCES", [racing_roll_up, lambda: 2])
    assert services.due_work_start() == 2


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_a_process_started_while_the_database_is_down_waits_for_it(tmp_path, command):
    unreachable = f"postgresql://hygie@127.0.0.1:{free_port()}/hygie"
    env = base_env(DEBUG="1", DATABASE_URL=unreachable, HYGIE_VAR_DIR=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = wait_for_line(process, '"database unavailable, trying again"', timeout=90)
        seen += wait_for_line(process, '"database unavailable, trying again"', timeout=30)
        assert process.poll() is None, seen
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, seen + rest
    assert f'"{command} stopped"' in rest
