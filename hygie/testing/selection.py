"""Which tests a run picks and in which order (hygie/conftest.py applies these rules).

- `slow`: the test starts a real server, browser or process, builds a whole union's
  first months (`filled_organisation`), or is marked by hand because it walks every page,
  URL, operation, field or document, or migrates a database (seconds each); `make check`
  leaves it out, `make test` runs it.
- `database`: the test uses the run's database, through Django or through the processes
  it starts (its module reads `DATABASE_URL` from the environment). `make test` runs every
  test on SQLite, then only these again on PostgreSQL: a test that uses no database, or
  only one of its own (`own_database`: a SQLite file it makes), gives the same answer on
  both.
- Slow tests run first, so that the two workers do not wait for one long test at the end.
"""

from __future__ import annotations

import functools
import re
from types import ModuleType

import pytest

# A real server, browser or IMAP account; an organisation filled through the real
# endpoints (hygie/console/tests/filled.py: ten seconds and more for each worker).
SLOW_FIXTURES = frozenset(
    {"browser_page", "live_server", "imap_server", "imap_account", "filled_organisation"}
)
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


# `os.environ["DATABASE_URL"]` or `os.environ.get("DATABASE_URL", …)`.
_READS_DATABASE_URL = re.compile(r"""environ(?:\.get\(|\[)\s*["']DATABASE_URL["']""")


def reads_database_settings(module: ModuleType | None) -> bool:
    """The module reads the run's database from the environment: it reaches it without
    pytest-django (processes given DATABASE_URL, a skip on SQLite). A module that sets or
    removes DATABASE_URL for its processes uses no database of the run."""
    source = getattr(module, "__file__", None)
    return bool(source) and _reads_database_url(source)


@functools.cache
def _reads_database_url(path: str) -> bool:
    with open(path, encoding="utf-8") as file:
        return _READS_DATABASE_URL.search(file.read()) is not None


def is_slow(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    fixtures = getattr(item, "fixturenames", ())
    return starts_processes(module) or bool(SLOW_FIXTURES.intersection(fixtures))


def uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("own_database") is not None:
        return False
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    return reads_database_settings(getattr(item, "module", None))


def mark_and_order(items: list[pytest.Item]) -> None:
    """Add the `slow` and `database` markers, and put slow tests first (in place)."""
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
        if uses_database(item):
            item.add_marker(pytest.mark.database)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
