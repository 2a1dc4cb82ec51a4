"""Helpers shared by the benchmarks: a private database, JSON output, child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def private_environment(
    *, sqlite: bool = False
) -> tuple[dict[str, str], tempfile.TemporaryDirectory[str]]:
    """Environment for a Django child process on its own SQLite database (or the
    PostgreSQL given in HYGIE_BENCH_DATABASE_URL, unless `sqlite`), migrated and empty."""
    directory = tempfile.TemporaryDirectory(prefix="hygie-bench-")
    sqlite_url = f"sqlite:///{directory.name}/bench.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        # Production mode: DEBUG would keep every SQL query in memory.
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        HYGIE_VAR_DIR=directory.name,
        DATABASE_URL=sqlite_url
        if sqlite
        else os.environ.get("HYGIE_BENCH_DATABASE_URL", sqlite_url),
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
