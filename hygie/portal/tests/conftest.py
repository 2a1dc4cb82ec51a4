from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    """The rate limits live in the (process-wide) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
