"""Every link in a staff or practitioner email starts with HYGIE_PUBLIC_BASE_URL, whatever
Host header the request that caused it carried (password reset: test_password_reset.py)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from hygie.accounts.roles import Role
from hygie.portal.tests.test_portal import ask_link, person

BASE = "https://hygie.union.example"
HOSTILE = "attacker.example"


@pytest.fixture
def hostile_host(settings):
    settings.ALLOWED_HOSTS = ["*"]  # a permissive proxy in front, say
    settings.PUBLIC_BASE_URL = BASE
    return {"HTTP_HOST": HOSTILE}


def assert_links_are_ours(message) -> None:
    parts = [message.body, *(str(content) for content, _mime in message.alternatives)]
    links = [link for part in parts for link in re.findall(r"https?://[^\s\"'<>]+", part)]
    assert links
    assert all(link.startswith(BASE + "/") for link in links), links
    assert all(HOSTILE not in part for part in parts)


def test_invitation_links(console, admin, hostile_host, django_capture_on_commit_callbacks):
    client = console(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("console:members"),
            {"email": "new.colleague@example.org", "role": Role.ANALYST},
            **hostile_host,
        )
    assert response.status_code == 302
    assert_links_are_ours(mail.outbox[-1])


def test_sign_in_links_of_the_personal_space(
    client, organisation, hostile_host, django_capture_on_commit_callbacks
):
    person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org", **hostile_host)
    assert_links_are_ours(mail.outbox[-1])
