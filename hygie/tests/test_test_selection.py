"""The rules that pick and order tests: `make check` leaves out the slow ones, the
PostgreSQL pass of `make test` runs only those that use a database."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from hygie.testing.selection import JOURNEYS, SHARED_MODULES, mark_and_order, shared_unit

FILLED_MODULE = "hygie/console/tests/test_nothing_english.py"
FAULTS_MODULE = "hygie/operations/tests/test_faults.py"


class FakeItem:
    def __init__(
        self, name: str, module: ModuleType, fixtures=(), markers=(), path: str = ""
    ) -> None:
        self.name = name
        self.module = module
        self.nodeid = f"{path or f'hygie/tests/{module.__name__}.py'}::{name}"
        self.fixturenames = list(fixtures)
        self.markers = {mark.name: mark for mark in markers}

    def get_closest_marker(self, name: str):  # type: ignore[no-untyped-def]
        return self.markers.get(name)

    def add_marker(self, marker) -> None:  # type: ignore[no-untyped-def]
        self.markers[marker.mark.name] = marker.mark


def module(tmp_path: Path, name: str, source: str, **names: object) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    made = ModuleType(name)
    made.__file__ = str(path)
    vars(made).update(names)
    return made


@pytest.fixture
def items(tmp_path):  # type: ignore[no-untyped-def]
    plain = module(tmp_path, "test_plain", "def test_x(): pass\n")
    journeys = module(tmp_path, "test_browser_plain", "def test_x(): pass\n")
    env = module(tmp_path, "test_env", 'URL = os.environ["DATABASE_URL"]\n')
    processes = module(tmp_path, "test_processes", "import subprocess\n", subprocess=object())
    gives = module(
        tmp_path,
        "test_gives",
        'import subprocess\nenv = {"DATABASE_URL": f"sqlite:///{path}"}\nenv.pop("DATABASE_URL")\n',
        subprocess=object(),
    )
    # A helper of hygie.testing.faults, named as imported (not imported here: this
    # module would then start processes, by the rule it tests).
    helper = type("Platform", (), {"__module__": "hygie.testing.faults"})
    platform = module(tmp_path, "test_platform", "", Platform=helper)
    runs = module(
        tmp_path,
        "test_runs",
        'import subprocess\nURL = os.environ.get("DATABASE_URL", "")\n',
        subprocess=object(),
    )
    return {
        "pure": FakeItem("pure", plain, ["tmp_path"]),
        "db": FakeItem("db", plain, ["organisation", "db"]),
        "marker": FakeItem("marker", plain, markers=[pytest.mark.django_db.mark]),
        "live": FakeItem("live", plain, ["live_server", "transactional_db"]),
        "browser": FakeItem("browser", journeys, ["browser_page", "live_server"]),
        "imap": FakeItem("imap", plain, ["imap_server"]),
        "filled": FakeItem("filled", plain, ["filled_organisation", "db"], path=FILLED_MODULE),
        "env": FakeItem("env", env),
        "processes": FakeItem("processes", processes),
        "platform": FakeItem("platform", platform),
        "gives": FakeItem("gives", gives),
        "runs": FakeItem("runs", runs),
        "own": FakeItem("own", runs, markers=[pytest.mark.own_database.mark]),
    }


def marked(item: FakeItem) -> set[str]:
    names = ("slow", "database", "one_database")
    return {name for name in names if item.get_closest_marker(name)}


def test_each_test_is_marked_by_what_it_uses(items):
    mark_and_order(list(items.values()))
    assert {name: marked(item) for name, item in items.items()} == {
        "pure": set(),
        "db": {"database"},
        "marker": {"database"},
        "live": {"slow", "database"},
        "browser": {"slow", "database", "one_database"},
        "imap": {"slow"},
        "filled": {"slow", "database"},
        "env": {"database"},
        "processes": {"slow"},
        "platform": {"slow"},
        "gives": {"slow"},
        "runs": {"slow", "database"},
        "own": {"slow"},
    }


def test_slow_tests_run_first_shared_ones_leading_and_the_others_keep_their_order(items):
    order = list(items.values())
    mark_and_order(order)
    assert [item.name for item in order] == [
        "filled", "browser",
        "live", "imap", "processes", "platform", "gives", "runs", "own",
        "pure", "db", "marker", "env",
    ]  # fmt: skip


def test_shared_units_start_in_their_declared_order_the_journeys_last(tmp_path):
    plain = module(tmp_path, "test_plain", "def test_x(): pass\n")
    journeys = module(tmp_path, "test_browser_plain", "def test_x(): pass\n")
    order = [
        FakeItem("browser", journeys, ["browser_page", "live_server"]),
        FakeItem("filled", plain, ["filled_organisation", "db"], path=FILLED_MODULE),
        FakeItem("fault", plain, ["live_server"], path=FAULTS_MODULE),
        FakeItem("live", plain, ["live_server"]),
    ]
    mark_and_order(order)
    assert list(SHARED_MODULES).index(FAULTS_MODULE) < list(SHARED_MODULES).index(FILLED_MODULE)
    assert [item.name for item in order] == ["fault", "filled", "browser", "live"]


def test_tests_sharing_rows_come_next_to_each_other(tmp_path):
    plain = module(tmp_path, "test_plain", "def test_x(): pass\n")
    order = [
        FakeItem("a", plain, ["db"]),
        FakeItem("world-1", plain, ["world", "db"]),
        FakeItem("b", plain, ["db"]),
        FakeItem("world-2", plain, ["organisation", "world"]),
    ]
    mark_and_order(order)
    assert [item.name for item in order] == ["world-1", "world-2", "a", "b"]


def test_journeys_and_modules_with_a_costly_fixture_are_each_one_unit():
    assert shared_unit("hygie/a/tests/test_browser_one.py::test_x[phone]") == JOURNEYS
    assert shared_unit("hygie/b/tests/test_browser_two.py::test_y") == JOURNEYS
    assert shared_unit(f"{FILLED_MODULE}::test_z[page-1]") == FILLED_MODULE
    assert shared_unit("hygie/a/tests/test_views.py::test_x") is None


@pytest.mark.parametrize(
    ("fixture", "path"),
    [("browser_page", "hygie/a/tests/test_views.py"), ("filled_organisation", "")],
)
def test_a_shared_fixture_outside_its_unit_is_refused_at_collection(tmp_path, fixture, path):
    stray = FakeItem("stray", module(tmp_path, "test_stray", ""), [fixture], path=path)
    with pytest.raises(pytest.UsageError, match="stray"):
        mark_and_order([stray])


def test_every_shared_module_exists():
    root = Path(__file__).resolve().parents[2]
    assert all((root / path).is_file() for path in SHARED_MODULES)


def test_with_postgresql_every_test_runs_in_one_pass_at_least(items, tmp_path):
    """`make test`'s two passes (scripts/test.sh) leave no test out: a `one_database` test
    that uses no database stays on SQLite."""
    import re

    from _pytest.mark.expression import Expression

    script = (Path(__file__).resolve().parents[2] / "scripts" / "test.sh").read_text()
    sqlite_pass = re.search(r'run_pytest sqlite -m "([^"]+)"', script)
    postgres_pass = re.search(r'run_pytest postgres -m "?(\w+)', script)
    assert sqlite_pass and postgres_pass
    words = module(tmp_path, "test_words", "")
    everyone = [
        *items.values(),
        FakeItem("seen", words, ["db"], markers=[pytest.mark.one_database.mark]),
        FakeItem("no_db", words, markers=[pytest.mark.one_database.mark]),
    ]
    mark_and_order(everyone)
    for item in everyone:
        has = marked(item)
        runs = [
            Expression.compile(expression).evaluate(lambda name, has=has, **_: name in has)
            for expression in (sqlite_pass.group(1), postgres_pass.group(1))
        ]
        assert any(runs), item.name
        if {"one_database", "database"} <= has:
            assert runs == [False, True], item.name


def test_a_test_not_marked_slow_cannot_render_a_pdf():
    from hygie.lib.pdf import html_to_pdf

    with pytest.raises(pytest.fail.Exception, match="renders a PDF: mark it `slow`"):
        html_to_pdf("<p>Fiche réflexe</p>")
