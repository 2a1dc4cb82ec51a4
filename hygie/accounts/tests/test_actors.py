"""The actor value: who did a change and from where, as the audit log keeps it."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from hygie.accounts.actors import Actor, Channel
from hygie.accounts.audit import audit_record
from hygie.accounts.models import AuditEntry


def test_a_signed_in_request_is_a_console_actor_with_its_organisation_and_address(
    admin, organisation
):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    request.user = admin
    request.organisation = organisation  # type: ignore[attr-defined]
    actor = Actor.from_request(request)
    assert actor == Actor(
        channel=Channel.CONSOLE, user=admin, organisation=organisation, ip="203.0.113.9"
    )


def test_an_anonymous_request_is_a_public_visitor():
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8::1")
    request.user = AnonymousUser()
    actor = Actor.from_request(request)
    assert (actor.channel, actor.user, actor.ip) == (Channel.PUBLIC, None, "2001:db8::1")


def test_the_audit_keeps_the_channel_the_address_and_the_api_token(admin, organisation):
    token = SimpleNamespace(
        pk=41, name="CRM", prefix="a1b2c3d4", created_by=admin, organisation=organisation
    )
    audit_record(
        action="test.api", actor=Actor.api_token(token, "198.51.100.4"), organisation=organisation
    )
    audit_record(action="test.system", actor=Actor.system(organisation), organisation=organisation)
    by_api = AuditEntry.objects.get(action="test.api")
    assert (
        by_api.channel,
        by_api.api_token_id,
        by_api.api_token_label,
        by_api.actor,
        by_api.ip_address,
    ) == ("api", 41, "CRM (a1b2c3d4)", admin, "198.51.100.4")
    by_system = AuditEntry.objects.get(action="test.system")
    assert (by_system.channel, by_system.actor, by_system.actor_label, by_system.ip_address) == (
        "system",
        None,
        "",
        None,
    )


def test_the_audit_log_page_says_which_token_did_a_change(console, admin, organisation):
    token = SimpleNamespace(
        pk=41, name="CRM", prefix="a1b2c3d4", created_by=admin, organisation=organisation
    )
    audit_record(action="test.api", actor=Actor.api_token(token, None), organisation=organisation)
    html = console(admin).get(reverse("console:audit_log")).content.decode()
    assert "jeton d’API n°" in html and "41" in html
