"""The demo command's own argument (its runs: hygie/operations/tests/test_processes.py)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from hygie.accounts.models import Organisation


@pytest.mark.parametrize("population", [0, -5])
def test_a_population_of_nobody_is_refused_and_nothing_is_made(db, population):
    with pytest.raises(CommandError, match="--population"):
        call_command("demo_setup", population=population)
    assert not Organisation.objects.exists()
