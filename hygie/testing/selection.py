"""Which tests a run picks and in which order (hygie/conftest.py applies these rules).

- `slow`: the test starts a real server, browser or process; `make check` leaves it out.
- `database`: the test uses the database, through Django or through the processes it
  starts. `make test` runs every test on SQLite, then only these again on PostgreSQL:
  a test that uses no database gives the same answer on both.
- Slow tests run first, so that the two workers do not wait for one long test at the end.
"""

from __future__ import annotations

import functools
from types import ModuleType

import pytest

# A real server, browser or IMAP account.
SLOW_FIXTURES = frozenset({"browser_page", "live_server", "imap_server", "imap_account"})
# pytest-django's ways into the test database (the `django_db` marker is the other).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def starts_processes(module: ModuleType | None) -> bool:
    return module is not None and "subprocess" in vars(module)


def reads_database_settings(module: ModuleType | None) -> bool:
    """The module names a database setting: it may reach a database without pytest-django
    (a server of its own, a process given DATABASE_URL, a skip on SQLite)."""
    source = getattr(module, "__file__", None)
    return bool(source) and _mentions_database(source)


@functools.cache
def _mentions_database(path: str) -> bool:
    with open(path, encoding="utf-8") as file:
        return "DATABASE" in file.read()


def is_slow(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    fixtures = getattr(item, "fixturenames", ())
    return starts_processes(module) or bool(SLOW_FIXTURES.intersection(fixtures))


def uses_database(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    return starts_processes(module) or reads_database_settings(module)


def mark_and_order(items: list[pytest.Item]) -> None:
    """Add the `slow` and `database` markers, and put slow tests first (in place)."""
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
        if uses_database(item):
            item.add_marker(pytest.mark.database)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
