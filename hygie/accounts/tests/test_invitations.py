"""Inviting a colleague: email, acceptance with a new or existing account, expiry."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.models import AuditEntry, Invitation, Membership
from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import UserFactory


def invite(console, admin, email="new.colleague@example.org", role=Role.ANALYST):
    with_capture = console(admin)
    response = with_capture.post(reverse("console:members"), {"email": email, "role": role})
    assert response.status_code == 302, response.content
    return with_capture


def accept_link() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/console/invitation/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_invitation_email_and_signup(
    console, admin, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client = invite(console, admin)
    assert mail.outbox[-1].to == ["new.colleague@example.org"]
    assert organisation.name in mail.outbox[-1].subject
    link = accept_link()
    client.post(reverse("accounts:logout"))

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(
        link,
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "password": "une phrase de passe solide",
            "password_confirm": "une phrase de passe solide",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    membership = Membership.objects.get(user__email="new.colleague@example.org")
    assert membership.organisation == organisation
    assert membership.role == Role.ANALYST
    assert AuditEntry.objects.filter(action="invitation.accepted").exists()
    # The link works once.
    client.post(reverse("accounts:logout"))
    assert client.get(link).status_code == 404


def test_expired_invitation_is_refused(console, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = invite(console, admin)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post(reverse("accounts:logout"))
    assert client.get(accept_link()).status_code == 404


def test_existing_account_signs_in_then_accepts(
    console, admin, client, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invite(console, admin, email="known@example.org", role=Role.INCIDENT_HANDLER)
    link = accept_link()
    client.post(reverse("accounts:logout"))
    assert client.get(link)["Location"].startswith(reverse("accounts:login"))
    console(colleague)
    client.post(link)
    assert Membership.objects.get(user=colleague).role == Role.INCIDENT_HANDLER


def test_invitation_for_someone_else_is_refused(
    console, admin, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(console, admin)
    link = accept_link()
    client = console(member)
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user__email="new.colleague@example.org").exists()


def test_inviting_a_current_member_is_an_error(console, admin, member):
    client = console(admin)
    response = client.post(
        reverse("console:members"), {"email": member.email.upper(), "role": Role.ANALYST}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


def test_bad_role_is_rejected(console, admin):
    response = console(admin).post(
        reverse("console:members"), {"email": "x@example.org", "role": "superhero"}
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()
