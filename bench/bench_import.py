"""Importing a member file of 100,000 rows: time, rows/s and peak memory.

Baselines measured in the same run: parsing the same file with csv.reader and
nothing else (the floor for any import), and the peak memory of importing a
file five times smaller (memory must not grow with the file).
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child

ROWS = 100_000


def run() -> None:
    env, directory = private_environment()
    with directory:
        small = run_child("bench.import_child", str(ROWS // 5), env=env)
        env2, directory2 = private_environment()
        with directory2:
            big = run_child("bench.import_child", str(ROWS), env=env2)
    emit(
        "import",
        "import_100k_rows_seconds",
        big["seconds"],
        "seconds",
        "csv.reader parse only, same file",
        big["parse_seconds"],
    )
    emit(
        "import",
        "rows_per_s",
        big["rows"] / big["seconds"],
        "rows/s",
        "csv.reader parse only, same file",
        big["rows"] / big["parse_seconds"],
    )
    emit("import", "analyse_100k_rows_seconds", big["analyse_seconds"], "seconds")
    emit(
        "import",
        "peak_rss_mb_100k_rows",
        big["peak_mb"],
        "MB",
        "same import of 20k rows",
        small["peak_mb"],
        higher_is_better=False,
    )
