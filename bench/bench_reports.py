"""Grouping reported lures at scale: 10,000 stored real reports.

Figures: the time to give a newly received report its group (median over new
reports, half of them siblings of stored lures, half new lures), against the
"similar reports" scan the triage page already ran for one report (the same
data); and the time to regroup all 10,000 reports, against the floor of reading
their keys once. One JSON line each, prefixed by the database.

Runs on a private SQLite database, then on PostgreSQL when HYGIE_BENCH_DATABASE_URL
(or DATABASE_URL) names a PostgreSQL server: on a database of its own, created on
that server for the run and dropped at the end.
"""

from __future__ import annotations

from bench.common import emit, postgres_server, private_environment, private_postgres, run_child


def _measure(database: str, database_url: str = "") -> None:
    env, directory = private_environment(sqlite=not database_url, database_url=database_url)
    with directory:
        result = run_child("bench.reports_child", env=env)
    emit(
        "reports",
        f"{database}_assign_new_report_ms",
        result["assign_ms"],
        "ms",
        "similar-reports scan of the triage page, same report",
        result["similar_ms"],
    )
    emit(
        "reports",
        f"{database}_regroup_10000_reports_seconds",
        result["regroup_s"],
        "seconds",
        "reading the reports' keys once",
        result["read_keys_s"],
    )
    emit("reports", f"{database}_stored_reports", result["reports"], "reports")
    emit("reports", f"{database}_groups_after_regroup", result["groups"], "groups")
    emit("reports", f"{database}_lures_generated", result["lures"], "lures")


def run() -> None:
    _measure("sqlite")
    server = postgres_server()
    if server:
        with private_postgres(server) as url:
            _measure("postgresql", url)
