"""Statements planned once per connection, prepared again on a new one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hygie.lib import prepared

SUM = "SELECT CAST(%s AS integer) + CAST(%s AS integer)"


def run(a: int, b: int) -> int:
    with connection.cursor() as cursor:
        prepared.execute(cursor, SUM, [a, b])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_prepared_once_then_executed_and_again_after_a_reconnection():
    assert run(1, 2) == 3
    with CaptureQueriesContext(connection) as seen:
        assert run(30, 12) == 42
    statements = [query["sql"] for query in seen.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 1 and statements[0].startswith("EXECUTE s_")
    else:
        assert statements == ["SELECT CAST(30 AS integer) + CAST(12 AS integer)"]
    connection.close()  # a new session knows no prepared statement
    assert run(5, 5) == 10
