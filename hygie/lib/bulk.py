"""One prepared INSERT executed for many rows.

For the two hot inserts (imported people, launched deliveries) the ORM's
bulk_create spends more time compiling SQL than the database spends writing
(measured by bench/bench_import.py and bench/bench_send.py). The rows given here
are already validated; values must already be in database form (datetimes
through `connection.ops.adapt_datetimefield_value`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

BATCH_ROWS = 5000


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(statement, rows[start : start + BATCH_ROWS])
