"""Rows that consecutive tests share, built once instead of once per test (tests only).

A fixture that builds many rows (the analytics `world`: a year of campaigns and events)
took a quarter of a second per test, on each database. Here the rows are built in a
transaction left open while the tests that ask for that fixture run one after the
other; each test enters it as a savepoint (pytest-django's `db`), which is rolled back
after it, so every test starts from the same rows. The transaction is rolled back before
any test that does not ask for the fixture, and at the end of the run: no other test
sees the rows. The tests that ask for it are put next to each other
(hygie/testing/selection.py), so that each worker builds them about once.

Tests that commit (`transactional_db`, a live server) cannot share the rows: the
fixture that uses them refuses such tests (as the analytics `world` does), and rows built
inside a test's own transaction are refused here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction


class SharedRows[T]:
    """What `build` returned, with its rows, while the tests asking for `fixture` follow
    one another."""

    def __init__(self, fixture: str, blocker: Any) -> None:
        self.fixture = fixture
        self._blocker = blocker
        self._outer: transaction.Atomic | None = None
        self._value: T | None = None

    @property
    def is_open(self) -> bool:
        return self._outer is not None

    def value(self, build: Callable[[], T]) -> T:
        if self._outer is None:
            if connection.in_atomic_block:
                # The test's own transaction is already open (the `django_db` marker, or
                # `db` asked for before): rows built in it would go with its rollback.
                pytest.fail(
                    f"`{self.fixture}` is built before the test's transaction: ask for it "
                    "without the django_db marker, before `db`."
                )
            with self._blocker.unblock():
                outer = transaction.atomic()
                outer.__enter__()
                try:
                    self._value = build()
                except BaseException:
                    transaction.set_rollback(True)
                    outer.__exit__(None, None, None)
                    raise
            self._outer = outer
        return self._value  # type: ignore[return-value]  # set with the transaction

    def close(self) -> None:
        outer, self._outer, self._value = self._outer, None, None
        if outer is None:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


_OPEN: dict[str, SharedRows[Any]] = {}


@pytest.fixture(scope="session")
def shared_rows(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[Callable[[str], SharedRows[Any]]]:
    """`shared_rows(fixture)`: the shared rows of `fixture` for this run. Rolled back
    before the test database goes (this fixture depends on it)."""

    def get(fixture: str) -> SharedRows[Any]:
        if fixture not in _OPEN:
            _OPEN[fixture] = SharedRows(fixture, django_db_blocker)
        return _OPEN[fixture]

    yield get
    for shared in list(_OPEN.values()):
        shared.close()
    _OPEN.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    fixtures = getattr(item, "fixturenames", ())
    for shared in _OPEN.values():
        if shared.fixture not in fixtures:
            shared.close()
