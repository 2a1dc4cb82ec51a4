"""The public API at 100,000 people.

- Bulk upsert of 100,000 people in calls of 10,000, against the import of the same rows
  from a CSV file (baseline, same run): both run the import's own pass.
- The people list paged to the end by its cursor (500 per page), against the console's
  audience list page (baseline: the median of pages 1, 100 and 1,000).
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child

PEOPLE = 100_000


def run() -> None:
    env, directory = private_environment()
    with directory:
        result = run_child("bench.api_child", str(PEOPLE), env=env)
    emit(
        "api",
        "bulk_upsert_100k_seconds",
        result["bulk_seconds"],
        "seconds",
        "import of the same rows from a CSV file",
        result["import_seconds"],
    )
    emit(
        "api",
        "bulk_upsert_100k_again_seconds",
        result["bulk_again_seconds"],
        "seconds",
        "import of the same rows from a CSV file",
        result["import_seconds"],
    )
    emit(
        "api",
        "people_list_page_500_ms",
        result["api_page_ms"],
        "ms",
        "console audience list page, same data",
        result["console_page_ms"],
    )
    emit("api", "people_list_all_pages_seconds", result["paging_seconds"], "seconds")
