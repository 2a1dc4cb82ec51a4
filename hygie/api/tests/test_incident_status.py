"""An incident's status through the API: the desk's transitions and audit, with the
`incidents:write` scope, in the token's organisation only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hygie.accounts.actors import Actor, Channel
from hygie.accounts.models import AuditEntry
from hygie.api.models import ApiToken
from hygie.api.scopes import Scope
from hygie.incidents.models import IncidentReport
from hygie.incidents.services import report_change_status
from hygie.incidents.tests.helpers import make_report
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db

CHANGED = "incident.status_changed"


def test_a_status_changes_as_on_the_desk_audited_and_shown_in_its_history(
    api, admin, organisation, console
):
    incident = make_report(organisation)
    client = api(Scope.WRITE_INCIDENTS)
    path = f"/incidents/{incident.pk}/status"
    answer = client.send("post", path, {"status": "in_progress"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["id"], body["status"], body["previous_status"], body["changed"]) == (
        incident.pk,
        "in_progress",
        "new",
        True,
    )
    closed = client.send("post", path, {"status": "closed"}).json()
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    # The desk may reopen a closed report: so may the API.
    assert client.send("post", path, {"status": "new"}).json()["closed_at"] is None
    entries = AuditEntry.objects.filter(action=CHANGED, target_id=str(incident.pk)).order_by("pk")
    assert [(e.details["from"], e.details["to"]) for e in entries] == [
        ("new", "in_progress"),
        ("in_progress", "closed"),
        ("closed", "new"),
    ]
    assert {e.actor for e in entries} == {admin}
    # The same status again is no change, and writes nothing.
    again = client.send("post", path, {"status": "new"}).json()
    assert (again["changed"], again["previous_status"]) == (False, "new")
    assert entries.count() == 3
    # The desk's history names the token that made the change, not the person who created it.
    token = ApiToken.objects.get()
    page = console(admin).get(reverse("desk:report", args=[incident.pk])).content.decode()
    history = plain(re.search(r'<ul class="plain-list desk-history">(.*?)</ul>', page, re.S)[1])
    assert history.count(f"CRM ({token.prefix}) via l’API · Statut : Nouveaux → En cours") == 1
    assert history.count(f"CRM ({token.prefix}) via l’API") == 3
    assert admin.email not in history


def test_the_history_names_an_earlier_token_by_its_number(admin, organisation, console):
    """An entry written before the audit kept the token's name shows its number."""
    incident = make_report(organisation)
    earlier = Actor(channel=Channel.API, user=admin, organisation=organisation, api_token_id=41)
    report_change_status(report=incident, status="closed", actor=earlier)
    page = console(admin).get(reverse("desk:report", args=[incident.pk])).content.decode()
    history = plain(re.search(r'<ul class="plain-list desk-history">(.*?)</ul>', page, re.S)[1])
    assert "jeton d’API n° 41 via l’API" in history
    assert admin.email not in history


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Le champ « status » doit valoir l’une de ces valeurs : new, in_progress, closed."),
        ("en", "The field “status” must be one of: new, in_progress, closed."),
    ],
)
def test_an_unknown_status_is_refused_in_the_callers_language_and_changes_nothing(
    api, organisation, language, message
):
    incident = make_report(organisation)
    answer = api(Scope.WRITE_INCIDENTS).send(
        "post",
        f"/incidents/{incident.pk}/status",
        {"status": "escalated"},
        **{"Accept-Language": language},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "status", "message": message, "type": "enum", "loc": ["body", "status"]}
    ]
    incident.refresh_from_db()
    assert incident.status == "new"
    assert not AuditEntry.objects.filter(action=CHANGED).exists()


def test_without_the_scope_or_in_another_organisation_nothing_changes(
    api, organisation, other_organisation
):
    mine = make_report(organisation)
    theirs = make_report(other_organisation)
    reader = api(Scope.READ_REPORTS)
    refused = reader.send("post", f"/incidents/{mine.pk}/status", {"status": "closed"})
    assert refused.status_code == 403
    assert "incidents:write" in refused.json()["detail"]
    writer = api(Scope.WRITE_INCIDENTS)
    assert (
        writer.send("post", f"/incidents/{theirs.pk}/status", {"status": "closed"}).status_code
        == 404
    )
    assert set(IncidentReport.objects.values_list("status", flat=True)) == {"new"}
    assert not AuditEntry.objects.filter(action=CHANGED).exists()
