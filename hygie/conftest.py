"""Shared fixtures: named personas and a console client signed in with two factors.

Personas:
- `admin`: administrator of `organisation`;
- `member`: campaign manager of `organisation`;
- `outsider`: administrator of `other_organisation`, a different tenant.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from hygie.accounts.models import Membership, Organisation, User
from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from hygie.delivery.sending import RELAY
from hygie.lib import pdf
from hygie.operations import snapshots
from hygie.phishing.lookup import forget_campaigns
from hygie.phishing.selectors import forget_scenarios
from hygie.testing import databases, selection

pytest_plugins = [
    "hygie.testing.browser",
    "hygie.testing.smtp",
    "hygie.testing.imap",
    "hygie.testing.scheduling",
    "hygie.testing.shared_rows",
]

# A fast hasher for every test: production hashes staff passwords with PBKDF2 at full
# strength (close to a second per hash on a small machine), which protects nothing in a test
# and made user creation the largest cost of the suite. Kept in sync with Django's cached
# hasher list, which `settings.PASSWORD_HASHERS = …` alone would not refresh.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selection.mark_and_order(items)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    databases.empty_tables_with_delete()
    databases.keep_template_rows_between_committing_tests()


@pytest.fixture(scope="session")
def django_db_keepdb(
    request: pytest.FixtureRequest,
    django_db_modify_db_settings: None,
    django_db_use_migrations: bool,
    django_db_blocker,  # type: ignore[no-untyped-def]
):
    """Each worker's database starts as a copy of a migrated template
    (hygie/testing/databases.py): on PostgreSQL a database that Django then keeps as it is
    and that is dropped at the end; on SQLite the in-memory database, filled before
    Django's set-up."""
    reuse = bool(request.config.getvalue("reuse_db"))
    if reuse or not django_db_use_migrations or request.config.getvalue("create_db"):
        yield reuse
        return
    with django_db_blocker.unblock():
        keeper = databases.fill_sqlite_from_template()
        copied = databases.copy_from_template()
    yield copied
    if copied:
        with django_db_blocker.unblock():
            databases.drop_copy()
    if keeper is not None:
        keeper.close()


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages produced outside a request (imports, reasons) read in English in tests;
    requests still choose their language as in production (French by default)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_tracking_memory():
    """Tracking keeps campaigns and scenarios per process; rolled-back tests reuse keys
    and change campaigns between two hits."""
    forget_scenarios()
    forget_campaigns()
    yield
    forget_scenarios()
    forget_campaigns()


@pytest.fixture(autouse=True)
def _relay_not_paused():
    """A test that takes the relay down pauses this process's sending; the next starts afresh."""
    RELAY.clear()
    yield
    RELAY.clear()


@pytest.fixture(autouse=True)
def _figures_always_live(monkeypatch):
    """Results pages compute their figures at each view in tests, however slow the
    machine: kept figures are tested on their own (hygie/operations/tests)."""
    monkeypatch.setattr(snapshots, "LIVE_BELOW_SECONDS", float("inf"))


_VAR_DIRS = itertools.count()


@pytest.fixture(scope="session")
def _var_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(autouse=True)
def _private_var_dir(settings, _var_dirs: Path):
    """Uploads, caught mail and other local files go to a directory of the test's own,
    made when first written to (pytest's `tmp_path` lists its whole base directory each
    time, a cost every test paid)."""
    settings.VAR_DIR = _var_dirs / str(next(_VAR_DIRS))
    settings.MAIL_CATCHER_DIR = settings.VAR_DIR / "mail"


def new_organisation() -> Organisation:
    return OrganisationFactory(name="URPS Médecins Test", slug="urps-test")


def new_admin(organisation: Organisation) -> User:
    return staff_member(organisation, Role.ADMIN, "admin@urps-test.example")


@pytest.fixture(autouse=True)
def _pdfs_in_slow_tests_only(request: pytest.FixtureRequest, monkeypatch) -> None:
    """A test that renders a PDF is marked `slow` (hygie/testing/selection.py), so that
    `make check` stays quick: both ways of rendering one go through `pdf._fetcher`."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refused() -> None:
        pytest.fail(f"{request.node.nodeid} renders a PDF: mark it `slow`.")

    monkeypatch.setattr(pdf, "_fetcher", refused)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return new_organisation()


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return OrganisationFactory(name="Autre union", slug="autre-union")


def staff_member(organisation: Organisation, role: str, email: str) -> User:
    """A new staff member of `organisation` with `role`."""
    membership: Membership = MembershipFactory(
        organisation=organisation, role=role, user=UserFactory(email=email)
    )
    return membership.user


@pytest.fixture
def admin(organisation: Organisation) -> User:
    return new_admin(organisation)


@pytest.fixture
def member(organisation: Organisation) -> User:
    return staff_member(organisation, Role.CAMPAIGN_MANAGER, "member@urps-test.example")


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return staff_member(other_organisation, Role.ADMIN, "admin@autre-union.example")


@pytest.fixture
def staff_of(organisation: Organisation) -> Callable[[str], User]:
    """A new staff member of `organisation` with the given role."""
    counter = iter(range(1000))

    def make(role: str) -> User:
        return staff_member(organisation, role, f"{role}-{next(counter)}@urps-test.example")

    return make


def sign_in(client: Client, user: User) -> Client:
    """Sign `user` in as after a password and a verified TOTP code: a new session holding
    what Django's sign-in and the second factor put in it, as `Client.force_login` makes
    one, without the sign-in signals (the lockout's bookkeeping, the last sign-in date),
    which cost more than the rest and which the sign-in tests go through for real."""
    device = confirmed_totp_device(user)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    name = settings.SESSION_COOKIE_NAME
    client.cookies[name] = session.session_key
    client.cookies[name].update(
        {
            "max-age": None,
            "path": "/",
            "domain": settings.SESSION_COOKIE_DOMAIN,
            "secure": settings.SESSION_COOKIE_SECURE or None,
            "expires": None,
        }
    )
    return client


@pytest.fixture
def console(client: Client) -> Callable[[User], Client]:
    """`console(user)` returns the test client signed in as `user` with two factors."""
    return lambda user: sign_in(client, user)
