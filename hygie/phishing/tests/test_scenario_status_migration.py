"""Scenarios that existed before drafts did stay usable: the migration publishes them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("phishing", "0008_scanner_texts")]
AFTER = [("phishing", "0009_scenario_status")]


@pytest.mark.slow  # migrates a database back and forth (see hygie/testing/selection.py)
@pytest.mark.django_db(transaction=True)
def test_existing_scenarios_are_published_by_the_migration():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("phishing", "Scenario")
    old.objects.create(
        slug="ancien",
        version=1,
        title="Ancien scénario",
        channel="email",
        technique="link",
        difficulty=2,
        theme="phishing_email",
        data={},
        checksum="x",
        last_reviewed=date(2026, 1, 1),
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("phishing", "Scenario")
    assert new.objects.get(slug="ancien").status == "published"
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
