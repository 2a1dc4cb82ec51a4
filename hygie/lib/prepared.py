"""Statements of the busiest endpoints, planned once per database connection.

PostgreSQL plans every statement it receives. For the tracked-link lookup (a row with
two joins and two sub-queries) planning took about four times as long as running it
(EXPLAIN ANALYZE: 1.1 ms against 0.25 ms), on every hit. `execute` prepares such a
statement the first time a connection runs it and executes the prepared plan from
then on. Prepared statements belong to the database session, so the set of prepared
names lives with the connection and is emptied when Django opens a new one. (They do
not survive a transaction-mode connection pooler: Hygie connects to PostgreSQL
directly, see docs/architecture.md.) Other databases run the statement as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.backends.utils import CursorWrapper

_PREPARED: WeakKeyDictionary[BaseDatabaseWrapper, set[str]] = WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%s")


def execute(cursor: CursorWrapper, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (with %s placeholders and no literal %) with `params`."""
    database = cursor.db
    if database.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = "s_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    prepared = _PREPARED.setdefault(database, set())
    if name not in prepared:
        numbers = iter(range(1, len(params) + 1))
        numbered = _PLACEHOLDER.sub(lambda _match: f"${next(numbers)}", sql)
        cursor.execute(f"PREPARE {name} AS {numbered}")
        prepared.add(name)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"EXECUTE {name}{arguments}", params)


def _forget(*, connection: BaseDatabaseWrapper, **_kwargs: object) -> None:
    """A new session has no prepared statement (connected before any is prepared)."""
    _PREPARED.pop(connection, None)


connection_created.connect(_forget, dispatch_uid="hygie.lib.prepared")
