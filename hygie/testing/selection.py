"""Which tests a run picks and in which order (hygie/conftest.py applies these rules).

- `slow`: the test starts a real server, browser or process, builds a whole union's
  first months (`filled_organisation`), or is marked by hand because it walks every page,
  URL, operation, field or document, migrates a database, or renders a PDF (WeasyPrint
  loads its fonts and lays pages out: a second or more for each worker; a test not so
  marked that renders one fails, see hygie/conftest.py); `make check` leaves it out,
  `make test` runs it.
- `database`: the test uses the run's database, through Django or through the processes
  it starts (its module reads `DATABASE_URL` from the environment). `make test` runs every
  test on SQLite, then only these again on PostgreSQL: a test that uses no database, or
  only one of its own (`own_database`: a SQLite file it makes), gives the same answer on
  both.
- `one_database`: what the test checks is what a person sees (a journey in Chromium, the
  words of every page, the pages of every PDF), which the database under the page does
  not change: `make test` runs it once, on PostgreSQL (the production database) when the
  run has one, else on SQLite. Journeys are marked automatically, the others by hand; a
  test so marked that uses no database runs on SQLite, as every such test.
- Slow tests run first, so that the two workers do not wait for one long test at the end;
  among them, those that share something costly (`shared_unit`) go first, together, in
  the order of `SHARED_MODULES`, the journeys last: the units that mostly wait (on a
  restarted server, a lease, a process) start while the other run of `make test` keeps
  the cores busy, not at the end, where a worker waiting beside the last tests leaves a
  core idle.
  Among the others, those that share rows (`SHARED_ROWS`, hygie/testing/shared_rows.py)
  go next to each other, so that each worker builds the rows about once.
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


# Modules whose tests share a costly module fixture: they go to one worker together
# (hygie/testing/scheduling.py), which builds it once instead of each worker building it.
# In the order they start: those that mostly wait first.
SHARED_MODULES = {
    "hygie/operations/tests/test_faults.py": "a private PostgreSQL server",
    "hygie/operations/tests/test_processes.py": "a migrated SQLite database",
    "hygie/console/tests/test_nothing_english.py": "filled_organisation",
}
# Fixtures whose rows consecutive tests share (hygie/testing/shared_rows.py).
SHARED_ROWS = ("world",)

# The journeys (`browser_page`) share one Chromium while they run one after the other.
JOURNEY_MODULE_PREFIX = "test_browser_"
JOURNEYS = "browser journeys"


def shared_unit(nodeid: str) -> str | None:
    """The unit `nodeid` goes to a worker with, when its test shares something costly."""
    path = nodeid.split("::", 1)[0]
    if path in SHARED_MODULES:
        return path
    if path.rsplit("/", 1)[-1].startswith(JOURNEY_MODULE_PREFIX):
        return JOURNEYS
    return None


def check_shared(item: pytest.Item) -> None:
    """A test using a shared fixture outside the modules that share it would build it
    on each worker again, silently: refused at collection."""
    fixtures = getattr(item, "fixturenames", ())
    unit = shared_unit(item.nodeid)
    if "browser_page" in fixtures and unit != JOURNEYS:
        raise pytest.UsageError(
            f"{item.nodeid}: journeys in Chromium live in {JOURNEY_MODULE_PREFIX}*.py modules."
        )
    if "filled_organisation" in fixtures and unit is None:
        raise pytest.UsageError(
            f"{item.nodeid}: a module using filled_organisation is listed in SHARED_MODULES."
        )


# Helpers that start processes for the module using them (servers, workers, a shell).
PROCESS_HELPERS = frozenset({"hygie.testing.faults", "hygie.testing.postgres"})


def starts_processes(module: ModuleType | None) -> bool:
    """The module starts processes: it imports `subprocess`, or a helper that does."""
    if module is None:
        return False
    names = vars(module)
    return "subprocess" in names or any(
        getattr(value, "__module__", None) in PROCESS_HELPERS for value in names.values()
    )


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
    """Add the `slow`, `database` and (journeys) `one_database` markers, and put slow
    tests first, the shared units first among them, and the tests sharing rows next to
    each other (in place)."""
    for item in items:
        check_shared(item)
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
        if uses_database(item):
            item.add_marker(pytest.mark.database)
        if "browser_page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.one_database)
    items.sort(
        key=lambda item: (
            item.get_closest_marker("slow") is None,
            _shared_unit_rank(item),
            _shared_rows_rank(item),
        )
    )


def _shared_unit_rank(item: pytest.Item) -> int:
    """A shared module's place in `SHARED_MODULES`; then the journeys; then the rest."""
    unit = shared_unit(item.nodeid)
    if unit is None:
        return len(SHARED_MODULES) + 1
    return list(SHARED_MODULES).index(unit) if unit in SHARED_MODULES else len(SHARED_MODULES)


def _shared_rows_rank(item: pytest.Item) -> int:
    """Tests sharing the same rows get the same rank; the others come after them."""
    fixtures = getattr(item, "fixturenames", ())
    for rank, fixture in enumerate(SHARED_ROWS):
        if fixture in fixtures:
            return rank
    return len(SHARED_ROWS)
