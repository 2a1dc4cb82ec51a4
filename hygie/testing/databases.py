"""Test databases copied from one migrated template instead of migrated each.

Migrating from nothing costs each test worker several seconds of CPU on every run (close
to eight on a small machine). The first worker migrates a template named after a digest
of every migration file; each worker's database then starts as a copy of it, and Django's
own set-up finds nothing left to migrate (it still runs the post-migrate loading of
content). The template is kept for the next run while no migration changes.

- PostgreSQL: a template database; each worker's is `CREATE DATABASE … TEMPLATE` of it.
- SQLite: a file under `var/test-databases/`; each worker's in-memory database is filled
  from it with SQLite's backup API before Django's set-up.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction

# An arbitrary key for PostgreSQL's advisory lock: one worker builds or copies at a time.
LOCK_KEY = 7_413_297


def migrations_digest() -> str:
    """A digest of every migration file of every installed app, and of Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted((Path(config.path) / "migrations").glob("*.py")):
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(test_name: str) -> str:
    """`test_hygie_gw0` → `test_hygie_tpl_<digest>` (PostgreSQL names: 63 characters)."""
    base = test_name.rsplit("_gw", 1)[0]
    return f"{base[:40]}_tpl_{migrations_digest()}"


def _exists(cursor, name: str) -> bool:  # type: ignore[no-untyped-def]
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def _build_template(name: str, verbosity: int) -> None:
    settings_dict = connection.settings_dict
    worker_name = settings_dict["TEST"].get("NAME")
    old_name = settings_dict["NAME"]
    settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, keepdb=False)
        connection.creation.destroy_test_db(old_name, verbosity=verbosity, keepdb=True)
    finally:
        settings_dict["TEST"]["NAME"] = worker_name
        connection.close()


def _worker_name() -> str:
    """This worker's test database (`test_<name>_gw0` under xdist)."""
    return connection.settings_dict["TEST"].get("NAME") or (
        "test_" + connection.settings_dict["NAME"]
    )


def copy_from_template(verbosity: int = 0) -> bool:
    """Make this worker's PostgreSQL test database a copy of the migrated template (built
    first if no run made it yet). False, with nothing done, on another database."""
    if connection.vendor != "postgresql":
        return False
    worker = _worker_name()
    template = template_name(worker)
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            if not _exists(cursor, template):
                prefix = template.rsplit("_tpl_", 1)[0] + "_tpl_"
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
                )
                for (stale,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)} WITH (FORCE)")
                _build_template(template, verbosity)
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(worker)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    connection.settings_dict["TEST"]["NAME"] = worker
    return True


def create_copy(name: str) -> None:
    """A new PostgreSQL database `name`, a copy of this run's migrated template (for the
    processes a test starts). Needs the test database set up (the `django_db_setup`
    fixture), which builds the template."""
    template = template_name(_worker_name())
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def template_url() -> str:
    """The libpq URL of this run's migrated PostgreSQL template (for `pg_dump`)."""
    settings_dict = connection.settings_dict
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{template_name(_worker_name())}"


def drop_copy() -> None:
    worker = connection.settings_dict["TEST"]["NAME"]
    connection.close()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(worker)} WITH (FORCE)")


def sqlite_template_path() -> Path:
    return (
        Path(settings.BASE_DIR) / "var" / "test-databases" / f"sqlite_{migrations_digest()}.sqlite3"
    )


def _build_sqlite_template(path: Path) -> None:
    """Migrate an in-memory test database as Django does, and save it to `path`."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        connection.ensure_connection()
        part = path.with_name(path.name + ".part")
        with closing(sqlite3.connect(part)) as copy:
            connection.connection.backup(copy)
        os.replace(part, path)
        for stale in path.parent.glob("sqlite_*"):
            if stale.stem != path.stem:
                stale.unlink(missing_ok=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def sqlite_copy(target: Path) -> bool:
    """Copy the kept SQLite template to `target`, a database file for processes a test
    starts; False, with nothing done, when no run has made it (the test then migrates)."""
    path = sqlite_template_path()
    if not path.exists():
        return False
    shutil.copyfile(path, target)
    return True


def fill_sqlite_from_template() -> sqlite3.Connection | None:
    """Fill this worker's in-memory SQLite test database with a copy of the migrated
    template (built first if no run made it yet). Returns the connection that keeps the
    in-memory database alive until Django's set-up opens its own; None, with nothing
    done, on another database or a test database in a file."""
    if connection.vendor != "sqlite":
        return None
    name = connection.creation._get_test_db_name()
    if not connection.creation.is_in_memory_db(name):
        return None
    path = sqlite_template_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds; the others wait, then copy
        if not path.exists():
            _build_sqlite_template(path)
        keeper = sqlite3.connect(name, uri=True, check_same_thread=False)
        with closing(sqlite3.connect(path)) as template:
            template.backup(keeper)
    return keeper


def empty_tables_with_delete() -> None:
    """Between tests that commit (`transactional_db`, the live server), Django empties
    every table: on PostgreSQL with one TRUNCATE, which gives each of some seventy tables
    new files and took a quarter to half a second each time, where DELETE takes a
    hundredth on tables a test filled with a few rows. The foreign keys Django makes on
    PostgreSQL are checked at commit (DEFERRABLE INITIALLY DEFERRED), so the order of the
    deletes does not matter, as it did not for TRUNCATE. Flushes that reset sequences or
    cascade keep TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(  # type: ignore[no-untyped-def]
        self, style, tables, *, reset_sequences=False, allow_cascade=False
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Django's own table names, quoted: nothing here comes from outside.
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


class TemplateRows:
    """After a test that commits, Django empties every table and sends `post_migrate`,
    which writes again what a migrated database holds (content types, permissions, the
    shipped scanner knowledge): a tenth of a second each time, and a few percent of a
    run. Here those rows are kept from the first such test, taken while the database is
    as migrated, and put back after each: the same rows, without the signal's work."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[type[models.Model], list[models.Model]]]] = {}

    def take(self, alias: str) -> None:
        if alias in self.rows:
            return
        kept = []
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            found = list(model._base_manager.using(alias).order_by("pk"))
            if found:
                kept.append((model, found))
        self.rows[alias] = kept

    def restore(self, alias: str) -> None:
        database = connections[alias]
        tables = database.introspection.django_table_names(only_existing=True, include_views=False)
        statements = database.ops.sql_flush(no_style(), tables, reset_sequences=False)
        with transaction.atomic(using=alias):
            database.ops.execute_sql_flush(statements)
            for model, found in self.rows[alias]:
                model._base_manager.using(alias).bulk_create(found)


def keep_template_rows_between_committing_tests() -> None:
    """Install `TemplateRows` for Django's tests that commit (pytest-django's
    `transactional_db` and the live server), but for those that choose their apps or
    serialise the database, which keep Django's way."""
    from django.test import TransactionTestCase

    template = TemplateRows()
    django_setup = TransactionTestCase._fixture_setup.__func__  # type: ignore[attr-defined]
    django_teardown = TransactionTestCase._fixture_teardown

    def own_way(case: Any) -> bool:
        return case.available_apps is None and not case.serialized_rollback

    @classmethod  # type: ignore[misc]
    def _fixture_setup(cls: Any) -> None:
        if own_way(cls):
            for alias in cls._databases_names(include_mirrors=False):
                template.take(alias)
        django_setup(cls)

    def _fixture_teardown(self: Any) -> None:
        if not own_way(self):
            django_teardown(self)
            return
        for alias in self._databases_names(include_mirrors=False):
            template.restore(alias)

    TransactionTestCase._fixture_setup = _fixture_setup  # type: ignore[method-assign,assignment]
    TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]
