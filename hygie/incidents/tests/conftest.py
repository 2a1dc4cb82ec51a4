"""Fixtures of the incident desk: handlers of two organisations, a clean cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate counters and sent-form nonces live in the cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def handler(staff_of):
    return staff_of(Role.INCIDENT_HANDLER)


@pytest.fixture
def analyst(staff_of):
    return staff_of(Role.ANALYST)


@pytest.fixture
def other_handler(other_organisation):
    return MembershipFactory(
        organisation=other_organisation,
        role=Role.INCIDENT_HANDLER,
        user=UserFactory(email="handler@autre-union.example"),
    ).user
