"""Password reset: links from the configured address, throttled, sent in the background."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hygie.accounts.tasks import send_password_reset

IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def ask(client, address: str, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": address}, **extra)


@IMMEDIATE_TASKS
def test_the_link_ignores_a_hostile_host_header(client, admin, settings):
    settings.ALLOWED_HOSTS = ["*"]  # a permissive proxy in front, say
    settings.PUBLIC_BASE_URL = "https://hygie.union.example"
    response = ask(client, admin.email, HTTP_HOST="attacker.example")
    assert response.status_code == 302
    (message,) = mail.outbox
    links = re.findall(r"https?://[^\s\"<]+", message.body)
    assert links and all(link.startswith("https://hygie.union.example/") for link in links)
    assert "attacker.example" not in message.body
    for content, _mime in message.alternatives:
        assert "attacker.example" not in str(content)


@IMMEDIATE_TASKS
def test_requests_are_throttled_per_address(client, admin):
    answers = [ask(client, admin.email).status_code for _ in range(9)]
    assert answers == [302] * 3 + [429] * 6
    assert len(mail.outbox) == 3


@IMMEDIATE_TASKS
def test_requests_are_throttled_per_client(client, db):
    answers = [ask(client, f"person{n}@example.org").status_code for n in range(25)]
    assert answers.count(302) == 20
    assert answers[-1] == 429


def test_the_request_does_the_same_work_for_known_and_unknown_addresses(client, admin):
    """Nothing about the account is looked up while the visitor waits: the same queries
    run either way, and the message leaves from a worker."""
    with CaptureQueriesContext(connection) as known:
        first = ask(client, admin.email, REMOTE_ADDR="192.0.2.1")
    with CaptureQueriesContext(connection) as unknown:
        second = ask(client, "nobody@example.org", REMOTE_ADDR="192.0.2.2")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    shape = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in known.captured_queries]
    assert shape == [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in unknown.captured_queries]
    assert all("accounts_user" not in q["sql"] for q in known.captured_queries)
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 2


def test_the_worker_sends_only_to_known_addresses(admin, db):
    send_password_reset.call("nobody@example.org")
    assert mail.outbox == []
    send_password_reset.call(admin.email.upper())
    assert [m.to for m in mail.outbox] == [[admin.email]]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_message_is_in_the_language_of_the_request(admin, language, db):
    send_password_reset.call(admin.email, language)
    expected = "Bonjour" if language == "fr" else "Hello"
    assert expected in mail.outbox[0].body
