"""Helpers shared by the benchmarks: a private database, JSON output, child processes."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def emit(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    baseline: str | None = None,
    baseline_value: float | None = None,
    higher_is_better: bool = True,
) -> None:
    line: dict[str, object] = {
        "bench": bench,
        "figure": figure,
        "value": round(value, 3),
        "unit": unit,
    }
    if baseline is not None and baseline_value:
        line["baseline"] = baseline
        line["baseline_value"] = round(baseline_value, 3)
        line["ratio"] = round(value / baseline_value, 3)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def postgres_server() -> str:
    """The PostgreSQL server benchmarks may use: HYGIE_BENCH_DATABASE_URL, else a
    PostgreSQL DATABASE_URL ("" when neither is set)."""
    for name in ("HYGIE_BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return ""


def _create_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the server of `server_url` and the function that drops
    it (the database named in the URL is never touched: benchmarks migrate and empty
    the one they use)."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"hygie_bench_{secrets.token_hex(4)}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]

    def drop() -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@contextlib.contextmanager
def private_postgres(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server of `server_url`, dropped
    afterwards whatever happens (the database named in the URL is not touched)."""
    url, drop = _create_database(server_url)
    try:
        yield url
    finally:
        drop()


class _PrivatePlace(tempfile.TemporaryDirectory):  # type: ignore[type-arg]
    """A benchmark's temporary directory that also drops its private database, if it
    made one, when it is cleaned up."""

    def __init__(self, drop: Callable[[], None] | None = None) -> None:
        super().__init__(prefix="hygie-bench-")
        self._drop = drop

    def cleanup(self) -> None:
        try:
            super().cleanup()
        finally:
            drop, self._drop = self._drop, None
            if drop is not None:
                drop()


def private_environment(
    *, sqlite: bool = False, database_url: str = ""
) -> tuple[dict[str, str], tempfile.TemporaryDirectory[str]]:
    """Environment for a Django child process on its own SQLite database (or
    `database_url`, or, unless `sqlite`, a database of its own created on the PostgreSQL
    server of HYGIE_BENCH_DATABASE_URL and dropped with the returned directory),
    migrated and empty."""
    server = "" if sqlite or database_url else os.environ.get("HYGIE_BENCH_DATABASE_URL", "")
    if server:
        database_url, drop = _create_database(server)
        directory = _PrivatePlace(drop)
    else:
        directory = _PrivatePlace()
    sqlite_url = f"sqlite:///{directory.name}/bench.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        # Production mode: DEBUG would keep every SQL query in memory.
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        HYGIE_VAR_DIR=directory.name,
        DATABASE_URL=database_url or sqlite_url,
        HYGIE_LOG_LEVEL="WARNING",
        HYGIE_STATIC_ROOT=f"{directory.name}/static",
    )
    for command in (["migrate", "-v0", "--noinput"], ["collectstatic", "-v0", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return env, directory


def run_child(module: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"benchmark child {module} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])
