"""The suite hashes staff passwords with a fast hasher (see hygie/conftest.py)."""

from __future__ import annotations

import pytest

from hygie.accounts.tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_staff_created_in_tests_use_the_fast_hasher_and_still_sign_in():
    user = UserFactory()
    assert user.password.startswith("md5$")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")
