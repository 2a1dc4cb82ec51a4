"""Real processes: start-up refusals, and worker and scheduler stopping on SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from hygie.testing import databases

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


def test_production_refuses_the_default_secret_key():
    result = run_manage("check", env=base_env(ALLOWED_HOSTS="hygie.example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_empty_allowed_hosts():
    result = run_manage("check", env=base_env(SECRET_KEY="x" * 60))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty" in result.stderr


def test_a_bad_number_is_named():
    result = run_manage("check", env=base_env(DEBUG="1", EMAIL_PORT="twenty-five"))
    assert result.returncode != 0
    assert "EMAIL_PORT" in result.stderr


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory, django_db_setup) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = base_env(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{var}/hygie.sqlite3",
        HYGIE_VAR_DIR=str(var),
        HYGIE_HEARTBEAT_SECONDS="1",
        HYGIE_SCHEDULER_TICK_SECONDS="1",
    )
    # A copy of the run's migrated template (made on SQLite by `django_db_setup`); the
    # migrate that follows finds nothing to apply, as on a deployed platform's restart.
    databases.sqlite_copy(var / "hygie.sqlite3")
    result = run_manage("migrate", "--noinput", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return env


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_background_processes_stop_cleanly_on_sigterm(migrated_env, command):
    process = subprocess.Popen(
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=migrated_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # SIGTERM only once the process says it started (its handler is installed by then):
        # on a busy machine start-up alone can take several seconds.
        before = wait_for_line(process, f'"{command} started"', timeout=90)
        assert process.poll() is None, before
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = before + rest
    assert process.returncode == 0, stderr
    assert f'"{command} stopped"' in stderr


def wait_for_line(process: subprocess.Popen, needle: str, timeout: float) -> str:
    """Read the process's stderr until a line contains `needle`; return what was read.

    A thread reads, because select() on a buffered pipe misses lines already buffered.
    """
    assert process.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    found = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
            if needle in line:
                found.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    found.wait(timeout)
    reader.join(1)  # it stops reading right after the line it looked for
    seen = "".join(lines.queue)
    if not found.is_set():
        raise AssertionError(f"{needle} not seen within {timeout} s:\n{seen}")
    return seen


def test_demo_setup_is_idempotent_and_prints_the_login(migrated_env):
    # A small union: every step of the demo runs, without two thousand members' traffic.
    first = run_manage("demo_setup", "--population", "60", env=migrated_env)
    second = run_manage("demo_setup", "--population", "60", env=migrated_env)
    assert first.returncode == 0, first.stderr
    assert "admin@demo.hygie.test" in first.stdout
    password_line = [line for line in first.stdout.splitlines() if "Password" in line]
    assert password_line
    assert password_line == [line for line in second.stdout.splitlines() if "Password" in line]
    database = migrated_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection:
        (members,) = connection.execute("SELECT count(*) FROM audience_person").fetchone()
    assert members == 60  # once, though the command ran twice
