"""Campaigns, simulations, reports, incidents and the year's figures through the API:
each endpoint shows the token's organisation only, with the console's suppression."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.api.scopes import Scope
from hygie.audience.models import Person, Segment
from hygie.awareness.services import campaign_create as awareness_create
from hygie.delivery.models import SendingProfile
from hygie.incidents.tests.helpers import make_report, make_slot
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement
from hygie.phishing.services import campaign_create as simulation_create
from hygie.phishing.tests.support import launch_and_send, open_window
from hygie.reporting.intake import ingest_text

pytestmark = pytest.mark.django_db


def simulation_of(organisation, actor, people: int = 3):  # type: ignore[no-untyped-def]
    scenarios_sync()
    SendingProfile.objects.get_or_create(
        organisation=organisation, defaults={"simulation_domain": "espace-pro.example"}
    )
    for n in range(people):
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}.{organisation.pk}@example.org",
            first_name="Élise",
            last_name=f"Durand{n}",
            departement="33",
        )
    campaign = simulation_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name=f"Printemps {organisation.pk}",
        scenarios=[Scenario.objects.get(slug="espace-pro-sante-avis-paiement")],
        segment=Segment.objects.create(organisation=organisation, name="Tous"),
    )
    open_window(campaign.mailing)
    return campaign


def awareness_of(organisation, actor):  # type: ignore[no-untyped-def]
    capsules_sync()
    return awareness_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name="Sauvegardes",
        capsule=Capsule.objects.get(slug="sauvegardes", language="fr"),
        segment=Segment.objects.create(organisation=organisation, name="Tous"),
    )


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_simulations_are_listed_and_read_for_the_own_organisation_only(
    api, admin, outsider, organisation, other_organisation
):
    mine = simulation_of(organisation, admin)
    theirs = simulation_of(other_organisation, outsider)
    client = api(Scope.READ_RESULTS)
    assert ids(client.get("/simulations")) == [mine.pk]
    got = client.get(f"/simulations/{mine.pk}").json()
    assert (got["name"], got["status"], got["mailing_id"]) == (
        mine.name,
        "draft",
        mine.mailing_id,
    )
    for path in ("", "/results"):
        assert client.get(f"/simulations/{theirs.pk}{path}").status_code == 404
    launch = f"/simulations/{theirs.pk}/launch"
    assert client.send("post", launch, {"recipients": 3}).status_code == 403
    assert api(Scope.MANAGE_CAMPAIGNS).send("post", launch, {"recipients": 3}).status_code == 404
    assert api(Scope.MANAGE_CAMPAIGNS).get(launch).status_code == 404
    assert api(Scope.READ_PEOPLE).get("/simulations").status_code == 403


def test_results_are_aggregates_with_small_groups_left_out(api, admin, organisation, smtp_server):
    campaign = simulation_of(organisation, admin, people=3)
    launch_and_send(campaign)
    client = api(Scope.READ_RESULTS)
    organisation.anonymity_threshold = 5
    organisation.save()
    results = client.get(f"/simulations/{campaign.pk}/results").json()
    assert results["sent"] == 3 and results["clicked"] == {"count": 0, "total": 3, "percent": 0}
    # Three people, under the threshold of five: no scenario row, no group.
    assert results["by_scenario"] == [] and results["suppressed_scenarios"] == 1
    assert results["breakdowns"]["departement"] == {"rows": [], "suppressed": 1}
    assert "example.org" not in str(results) and "Durand" not in str(results)
    organisation.anonymity_threshold = 3
    organisation.save()
    results = client.get(f"/simulations/{campaign.pk}/results").json()
    assert [row["sent"] for row in results["by_scenario"]] == [3]
    assert results["breakdowns"]["departement"]["rows"][0]["name"] == "33"


def test_a_simulation_is_launched_only_with_the_scope_and_once_members_were_told(
    api, admin, organisation
):
    campaign = simulation_of(organisation, admin, people=2)
    path = f"/simulations/{campaign.pk}/launch"
    confirmed = {"recipients": 2}
    assert api(Scope.READ_RESULTS).send("post", path, confirmed).status_code == 403
    manager = api(Scope.MANAGE_CAMPAIGNS)
    assert manager.get(path).json()["recipients"] == 2
    refused = manager.send("post", path, confirmed, **{"Accept-Language": "fr"})
    assert refused.status_code == 409
    assert "adhérents" in refused.json()["detail"]
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == "draft"
    SimulationAnnouncement.objects.create(
        organisation=organisation, announced_on=date(2026, 9, 1), channel="email"
    )
    launched = manager.send("post", path, confirmed).json()
    assert (launched["campaign_id"], launched["deliveries"]) == (campaign.pk, 2)
    assert launched["first_send"] <= launched["last_send"]
    # Its results are prepared, as by the console's launch.
    assert campaign.results.count() == 2
    assert manager.send("post", path, confirmed).status_code == 409  # once only
    assert manager.get(path).status_code == 409


def test_awareness_campaigns_are_listed_for_the_own_organisation_only(
    api, admin, outsider, organisation, other_organisation
):
    mine = awareness_of(organisation, admin)
    theirs = awareness_of(other_organisation, outsider)
    client = api(Scope.READ_RESULTS)
    assert ids(client.get("/campaigns")) == [mine.pk]
    assert client.get(f"/campaigns/{mine.pk}").json()["capsule"] == "sauvegardes"
    assert client.get(f"/campaigns/{theirs.pk}").status_code == 404


def test_reports_show_triage_not_the_reporter_and_stay_in_their_organisation(
    api, organisation, other_organisation
):
    mine = ingest_text(organisation=organisation, text="Colis bloqué", reporter="a@example.org")
    theirs = ingest_text(organisation=other_organisation, text="Colis bloqué")
    client = api(Scope.READ_REPORTS)
    assert ids(client.get("/reports")) == [mine.pk]
    got = client.get(f"/reports/{mine.pk}")
    assert got.json()["channel"] == "sms" and got.json()["classification"] == "new"
    assert "a@example.org" not in got.content.decode() and "Colis" not in got.content.decode()
    assert client.get(f"/reports/{theirs.pk}").status_code == 404
    assert api(Scope.READ_RESULTS).get("/reports").status_code == 403


def test_incidents_show_their_status_not_the_contact_and_stay_in_their_organisation(
    api, organisation, other_organisation
):
    slot = make_slot(organisation)
    mine = make_report(organisation, slot=slot, email="elise@example.org", name="Élise M")
    theirs = make_report(other_organisation)
    client = api(Scope.READ_REPORTS)
    assert ids(client.get("/incidents")) == [mine.pk]
    got = client.get(f"/incidents/{mine.pk}")
    body = got.json()
    assert (body["reference"], body["status"], body["wants_callback"]) == (
        mine.reference,
        "new",
        True,
    )
    assert "elise@" not in got.content.decode() and "Élise" not in got.content.decode()
    assert client.get(f"/incidents/{theirs.pk}").status_code == 404


def test_the_years_figures_count_the_own_organisation_only(
    api, admin, outsider, organisation, other_organisation, smtp_server
):
    launch_and_send(simulation_of(organisation, admin))
    launch_and_send(simulation_of(other_organisation, outsider))
    client = api(Scope.READ_RESULTS)
    year = timezone.localdate().year
    figures = client.get(f"/figures/{year}").json()
    assert figures["simulations"] == 1
    [row] = figures["simulation_rows"]
    assert row["sent"] == 3
    # Three people under the default threshold: the row says so and shows no rate.
    assert (row["shown"], row["clicked"]) == (False, None)
    assert client.get("/figures/1999").status_code == 404
