"""Named results through the API: only with the `results:named` scope, which only someone
allowed to see names may give, each call audited on the simulation with the token named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry, Membership
from hygie.accounts.roles import Role
from hygie.api.models import ApiToken
from hygie.api.scopes import Scope
from hygie.api.services import api_token_create
from hygie.delivery.models import Delivery
from hygie.phishing.tests.support import PERSON
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db

AUDITED = "simulation.individual_results_viewed"


def test_named_results_list_who_clicked_with_their_timeline_and_are_audited(api, clicked, admin):
    campaign, first, _second = clicked
    client = api(Scope.READ_NAMED_RESULTS)
    answer = client.get(f"/simulations/{campaign.pk}/results/people")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["campaign_id"], body["outcome"], body["next_cursor"]) == (
        campaign.pk,
        "clicked",
        None,
    )
    [row] = body["items"]
    assert (row["person_id"], row["name"]) == (first.person_id, first.person.display_name)
    assert row["clicked_at"] is not None and row["reported_at"] is None
    assert [(e["kind"], e["verdict"]) for e in row["timeline"]] == [("click", "uncertain")]
    [entry] = AuditEntry.objects.filter(action=AUDITED)
    assert (entry.target_type, entry.target_id) == ("phishing.simulationcampaign", str(campaign.pk))
    token = ApiToken.objects.get()
    assert entry.actor == admin
    assert entry.details["token_id"] == token.pk and token.prefix in entry.details["token"]
    assert (entry.details["outcome"], entry.details["people"], entry.details["via"]) == (
        "clicked",
        1,
        "api",
    )


def test_each_outcome_and_each_page_is_its_own_audited_call(api, clicked):
    campaign, first, second = clicked
    client = api(Scope.READ_NAMED_RESULTS)
    path = f"/simulations/{campaign.pk}/results/people"
    reported = client.get(path, outcome="reported").json()
    assert [row["person_id"] for row in reported["items"]] == [second.person_id]
    assert reported["items"][0]["reported_at"] is not None
    assert client.get(path, outcome="submitted").json()["items"] == []
    # One person a page: the cursor walks the list, each page audited.
    Client().get(f"/{campaign.path_prefix}/{second.token}/", **PERSON)
    page = client.get(path, limit=1).json()
    rest = client.get(path, limit=1, cursor=page["next_cursor"]).json()
    assert [r["person_id"] for r in page["items"] + rest["items"]] == sorted(
        [first.person_id, second.person_id],
        key=lambda pk: Delivery.objects.get(person_id=pk).simulation_result.pk,
    )
    assert rest["next_cursor"] is None
    entries = AuditEntry.objects.filter(action=AUDITED).order_by("pk")
    assert [e.details["outcome"] for e in entries] == [
        "reported",
        "submitted",
        "clicked",
        "clicked",
    ]
    assert [e.details["cursor"] for e in entries][-2:] == [None, page["next_cursor"]]


def test_without_the_scope_names_are_refused_in_the_callers_language_and_not_audited(api, clicked):
    campaign, _first, _second = clicked
    # Every other scope, aggregate results included: still no names.
    client = api(*(s for s in Scope if s != Scope.READ_NAMED_RESULTS))
    path = f"/simulations/{campaign.pk}/results/people"
    refused = client.get(path, language="fr")
    assert refused.status_code == 403
    assert plain(refused.json()["detail"]) == "Ce jeton n’a pas la permission « results:named »."
    english = client.get(path, language="en")
    assert english.json()["detail"] == "This token lacks the scope “results:named”."
    assert "Durand" not in refused.content.decode() + english.content.decode()
    assert not AuditEntry.objects.filter(action=AUDITED).exists()


def test_another_organisations_simulation_is_not_found(api, clicked, outsider, other_organisation):
    campaign, _first, _second = clicked
    theirs = api(Scope.READ_NAMED_RESULTS, organisation=other_organisation)
    answer = theirs.get(f"/simulations/{campaign.pk}/results/people")
    assert answer.status_code == 404
    assert not AuditEntry.objects.filter(action=AUDITED).exists()


def test_an_unknown_outcome_is_refused_naming_the_field(api, clicked):
    campaign, _first, _second = clicked
    client = api(Scope.READ_NAMED_RESULTS)
    answer = client.get(
        f"/simulations/{campaign.pk}/results/people", outcome="everything", language="fr"
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "outcome"
    assert error["message"] == (
        "Le champ « outcome » doit valoir l’une de ces valeurs : clicked, submitted, reported."
    )
    assert not AuditEntry.objects.filter(action=AUDITED).exists()


def test_only_someone_allowed_to_see_names_may_give_the_scope(
    admin, organisation, staff_of, console
):
    manager = staff_of(Role.CAMPAIGN_MANAGER)
    with pytest.raises(ValidationError, match="results:named"):
        api_token_create(
            organisation=organisation,
            name="CRM",
            scopes=[Scope.READ_NAMED_RESULTS.value],
            expires_at=None,
            actor=Actor.staff(manager),
        )
    assert not ApiToken.objects.exists()
    # An administrator may; the form warns before anyone ticks it.
    page = console(admin).get(reverse("api:tokens"))
    assert 'data-testid="named-scope-warning"' in page.content.decode()
    assert "results:named" in page.content.decode()
    created = console(admin).post(
        reverse("api:tokens"), {"name": "CRM", "scopes": [Scope.READ_NAMED_RESULTS.value]}
    )
    assert created.context["issued"].token.scopes == [Scope.READ_NAMED_RESULTS.value]


def test_a_token_stops_giving_names_when_its_creator_loses_the_right(api, clicked, admin):
    campaign, _first, _second = clicked
    client = api(Scope.READ_NAMED_RESULTS, Scope.READ_RESULTS)
    path = f"/simulations/{campaign.pk}/results"
    assert client.get(f"{path}/people").status_code == 200
    Membership.objects.filter(user=admin).update(role=Role.ANALYST)
    refused = client.get(f"{path}/people", language="en")
    assert refused.status_code == 403
    assert "no longer" in refused.json()["detail"]
    assert client.get(path).status_code == 200  # its other scopes still work
    assert AuditEntry.objects.filter(action=AUDITED).count() == 1


def test_a_person_unlinked_by_retention_stays_unnamed(api, clicked):
    campaign, first, _second = clicked
    Delivery.objects.filter(pk=first.pk).update(person=None)
    [row] = (
        api(Scope.READ_NAMED_RESULTS)
        .get(f"/simulations/{campaign.pk}/results/people")
        .json()["items"]
    )
    assert (row["person_id"], row["name"], row["practice"]) == (None, None, None)
    assert row["clicked_at"] is not None
