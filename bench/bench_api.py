"""The public API at 100,000 people.

- Bulk upsert of 100,000 people in calls of 10,000, against the import of the same rows
  from a CSV file (baseline, same run): both run the import's own pass.
- The people list paged to the end by its cursor (500 per page), against the console's
  audience list page (baseline: the median of pages 1, 100 and 1,000).

Runs on a private SQLite database, then on PostgreSQL when HYGIE_BENCH_DATABASE_URL (or
DATABASE_URL) names a PostgreSQL server: on a database of its own, created on that server for
the run and dropped at the end. Each figure's name starts with the database.
"""

from __future__ import annotations

from bench.common import emit, postgres_server, private_environment, private_postgres, run_child

PEOPLE = 100_000


def _measure(database: str, database_url: str = "") -> None:
    env, directory = private_environment(sqlite=not database_url, database_url=database_url)
    with directory:
        result = run_child("bench.api_child", str(PEOPLE), env=env)
    emit(
        "api",
        f"{database}_bulk_upsert_100k_seconds",
        result["bulk_seconds"],
        "seconds",
        "import of the same rows from a CSV file",
        result["import_seconds"],
    )
    emit(
        "api",
        f"{database}_bulk_upsert_100k_again_seconds",
        result["bulk_again_seconds"],
        "seconds",
        "import of the same rows from a CSV file",
        result["import_seconds"],
    )
    emit(
        "api",
        f"{database}_people_list_page_500_ms",
        result["api_page_ms"],
        "ms",
        "console audience list page, same data",
        result["console_page_ms"],
    )
    emit("api", f"{database}_people_list_all_pages_seconds", result["paging_seconds"], "seconds")


def run() -> None:
    _measure("sqlite")
    server = postgres_server()
    if server:
        with private_postgres(server) as url:
            _measure("postgresql", url)
