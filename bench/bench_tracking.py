"""Tracking endpoints under concurrent load: open pixels and tracked links per second.

The app is served as in production (granian WSGI, the Procfile's web process, DEBUG
off) on a local port, with the tracking host name configured. 48 concurrent clients
hit opens and clicks of distinct deliveries of a sent simulation campaign of 10,000
deliveries, then of one of 100,000, each hit a new connection from its own address
with a browser's headers. Baseline in the same run, same server and database: a bare
view that only inserts one row (bench/tracking_urls.py, not part of the production
URLs). Goals: at least half the baseline's rate, and the same rate at 100,000
deliveries as at 10,000. Afterwards every answered hit must be recorded exactly once.

Runs on SQLite, then also on PostgreSQL when HYGIE_BENCH_DATABASE_URL is set (a
database of the bench's own: it is emptied at the end).
"""

from __future__ import annotations

import os
import sys

from bench.common import emit, private_environment, run_child
from bench.tracking_child import HOST

BASELINE = "bare view inserting one row, same server and database"


def run() -> None:
    databases = [("sqlite", True)]
    if os.environ.get("HYGIE_BENCH_DATABASE_URL"):
        databases.append(("postgresql", False))
    errors = []
    for database, sqlite in databases:
        env, directory = private_environment(sqlite=sqlite)
        with directory:
            env.update(
                ALLOWED_HOSTS=f"{env['ALLOWED_HOSTS']},{HOST}",
                HYGIE_TRACKING_HOSTS=HOST,
                HYGIE_TRACKING_BASE_URL=f"http://{HOST}",
            )
            result = run_child("bench.tracking_child", env=env)
        emit("tracking", f"{database}_generate", result["generate_s"], "seconds")
        for label in ("10k", "100k"):
            base = result[f"bare_{label}"]
            emit("tracking", f"{database}_bare_insert_per_s_{label}", base, "hits/s")
            for kind in ("opens", "clicks"):
                emit(
                    "tracking",
                    f"{database}_{kind}_per_s_{label}",
                    result[f"{kind}_{label}"],
                    "hits/s",
                    BASELINE,
                    base,
                )
        emit(
            "tracking",
            f"{database}_anonymous_opens_per_s_10k",
            result["anonymous_opens_10k"],
            "hits/s",
            BASELINE,
            result["bare_10k"],
        )
        for kind in ("opens", "clicks"):
            emit(
                "tracking",
                f"{database}_{kind}_per_s_100k_vs_10k",
                result[f"{kind}_100k"],
                "hits/s",
                f"{kind} per second on the 10,000-delivery campaign, same run",
                result[f"{kind}_10k"],
            )
        sent = result["sent_10k"] + result["sent_100k"]
        recorded = result["recorded_10k"] + result["recorded_100k"]
        emit("tracking", f"{database}_recorded_per_answered_hit", recorded / sent, "ratio")
        errors += [f"{database}: {error}" for error in result["errors"]]
    if errors:
        sys.stderr.write("".join(f"tracking: {error}\n" for error in errors))
        raise SystemExit("tracking: hits were not all recorded exactly once")
