"""PostgreSQL test databases are copies of one migrated template (hygie/testing/databases.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hygie.testing.databases import migrations_digest, template_name


def test_the_template_is_named_after_the_migrations():
    digest = migrations_digest()
    assert len(digest) == 12
    assert digest == migrations_digest()
    assert template_name("test_hygie_gw0") == f"test_hygie_tpl_{digest}"
    assert template_name("test_hygie") == f"test_hygie_tpl_{digest}"
    assert len(template_name("test_" + "x" * 80 + "_gw1")) <= 63


def test_this_database_is_fully_migrated(db):
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(targets) == []


def test_on_postgresql_the_workers_database_is_a_copy_of_the_kept_template(db):
    if connection.vendor != "postgresql":
        pytest.skip("the template is for PostgreSQL")
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", [template_name(name)])
        assert cursor.fetchone() is not None
    assert name != template_name(name)


def test_on_sqlite_the_in_memory_database_starts_from_the_kept_template(db):
    if connection.vendor != "sqlite":
        pytest.skip("the file template is for SQLite")
    import sqlite3
    from contextlib import closing

    from hygie.testing.databases import sqlite_template_path

    path = sqlite_template_path()
    assert path.name == f"sqlite_{migrations_digest()}.sqlite3"
    assert connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
    with closing(sqlite3.connect(path)) as template:
        kept = template.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] == kept > 50


def test_on_postgresql_tests_that_commit_are_emptied_with_delete(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite empties tables with DELETE already")
    from django.core.management import call_command
    from django.test.utils import CaptureQueriesContext

    from hygie.accounts.models import Membership, Organisation, User
    from hygie.accounts.tests.factories import MembershipFactory

    MembershipFactory()  # rows that point at each other: a user, an organisation, a role
    with CaptureQueriesContext(connection) as queries:
        # As Django's teardown of such a test calls it.
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "TRUNCATE" in q["sql"]]
    assert (Membership.objects.count(), User.objects.count(), Organisation.objects.count()) == (
        0,
        0,
        0,
    )


def test_after_a_test_that_commits_the_migrated_rows_are_back_and_nothing_else(
    transactional_db,
):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_migrate

    from hygie.accounts.models import Organisation
    from hygie.accounts.tests.factories import MembershipFactory
    from hygie.phishing.models import KnownScanner
    from hygie.testing.databases import TemplateRows

    def migrated() -> tuple[list[tuple[object, ...]], ...]:
        return (
            list(ContentType.objects.order_by("pk").values_list()),
            list(Permission.objects.order_by("pk").values_list()),
            list(KnownScanner.objects.order_by("pk").values_list()),
        )

    before = migrated()
    assert all(before)  # each kind of migrated row is there to be kept
    rows = TemplateRows()
    rows.take("default")
    MembershipFactory()
    KnownScanner.objects.filter(pk=before[2][0][0]).delete()
    Permission.objects.update(name="changed")
    signals: list[object] = []
    post_migrate.connect(signals.append, dispatch_uid="test-template-rows")
    try:
        rows.restore("default")
    finally:
        post_migrate.disconnect(dispatch_uid="test-template-rows")
    assert migrated() == before
    assert Organisation.objects.count() == 0
    assert signals == []
