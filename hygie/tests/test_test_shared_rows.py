"""Rows shared by consecutive tests (hygie/testing/shared_rows.py): built once, the same
for each test whatever the one before changed, and gone before any other test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from hygie.accounts.models import Organisation
from hygie.accounts.tests.factories import OrganisationFactory
from hygie.testing import shared_rows
from hygie.testing.shared_rows import SharedRows

# Uses the run's database through the blocker, without a transaction of pytest-django's.
pytestmark = pytest.mark.database


def a_test(blocker, change) -> None:  # type: ignore[no-untyped-def]
    """What pytest-django's `db` does around a test: a savepoint, rolled back."""
    with blocker.unblock(), transaction.atomic():
        change()
        transaction.set_rollback(True)


def test_the_rows_are_built_once_and_each_test_starts_from_them(django_db_setup, django_db_blocker):
    shared: SharedRows[int] = SharedRows("union", django_db_blocker)
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return OrganisationFactory(name="Union partagée", slug="partagee").pk

    try:
        pk = shared.value(build)
        a_test(django_db_blocker, lambda: Organisation.objects.filter(pk=pk).update(name="Changé"))
        assert shared.value(build) == pk
        assert builds == [1]
        with django_db_blocker.unblock():
            assert Organisation.objects.get(pk=pk).name == "Union partagée"
    finally:
        shared.close()
    assert not shared.is_open
    with django_db_blocker.unblock():
        assert not Organisation.objects.filter(slug="partagee").exists()


def test_rows_are_not_built_inside_a_tests_own_transaction(django_db_setup, django_db_blocker):
    shared: SharedRows[int] = SharedRows("union", django_db_blocker)
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.raises(pytest.fail.Exception, match="before the test's transaction"):
            shared.value(lambda: OrganisationFactory(slug="partagee").pk)
        transaction.set_rollback(True)
    assert not shared.is_open


def test_a_test_without_the_fixture_closes_the_shared_rows(
    django_db_setup, django_db_blocker, monkeypatch
):
    shared: SharedRows[int] = SharedRows("union", django_db_blocker)
    monkeypatch.setitem(shared_rows._OPEN, "union", shared)
    try:
        shared.value(lambda: OrganisationFactory(slug="partagee").pk)
        shared_rows.pytest_runtest_setup(SimpleNamespace(fixturenames=["union", "db"]))  # type: ignore[arg-type]
        assert shared.is_open
        shared_rows.pytest_runtest_setup(SimpleNamespace(fixturenames=["db"]))  # type: ignore[arg-type]
        assert not shared.is_open
    finally:
        shared.close()
    with django_db_blocker.unblock():
        assert not Organisation.objects.filter(slug="partagee").exists()


def test_no_shared_row_is_left_for_other_tests(db):
    # Asks for `db`, so that pytest-django sets the test database up when this module
    # runs alone (the tests above use it through the blocker only).
    assert not Organisation.objects.filter(slug="partagee").exists()
