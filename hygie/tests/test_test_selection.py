"""The rules that pick and order tests: `make check` leaves out the slow ones, the
PostgreSQL pass of `make test` runs only those that use a database."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from hygie.testing.selection import mark_and_order


class FakeItem:
    def __init__(self, name: str, module: ModuleType, fixtures=(), markers=()) -> None:
        self.name = name
        self.module = module
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
    env = module(tmp_path, "test_env", 'URL = os.environ["DATABASE_URL"]\n')
    processes = module(tmp_path, "test_processes", "import subprocess\n", subprocess=object())
    gives = module(
        tmp_path,
        "test_gives",
        'import subprocess\nenv = {"DATABASE_URL": f"sqlite:///{path}"}\nenv.pop("DATABASE_URL")\n',
        subprocess=object(),
    )
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
        "browser": FakeItem("browser", plain, ["browser_page", "live_server"]),
        "imap": FakeItem("imap", plain, ["imap_server"]),
        "filled": FakeItem("filled", plain, ["filled_organisation", "db"]),
        "env": FakeItem("env", env),
        "processes": FakeItem("processes", processes),
        "gives": FakeItem("gives", gives),
        "runs": FakeItem("runs", runs),
        "own": FakeItem("own", runs, markers=[pytest.mark.own_database.mark]),
    }


def marked(item: FakeItem) -> set[str]:
    return {name for name in ("slow", "database") if item.get_closest_marker(name)}


def test_each_test_is_marked_by_what_it_uses(items):
    mark_and_order(list(items.values()))
    assert {name: marked(item) for name, item in items.items()} == {
        "pure": set(),
        "db": {"database"},
        "marker": {"database"},
        "live": {"slow", "database"},
        "browser": {"slow", "database"},
        "imap": {"slow"},
        "filled": {"slow", "database"},
        "env": {"database"},
        "processes": {"slow"},
        "gives": {"slow"},
        "runs": {"slow", "database"},
        "own": {"slow"},
    }


def test_slow_tests_run_first_and_the_others_keep_their_order(items):
    order = list(items.values())
    mark_and_order(order)
    assert [item.name for item in order] == [
        "live", "browser", "imap", "filled", "processes", "gives", "runs", "own",
        "pure", "db", "marker", "env",
    ]  # fmt: skip
