"""Honest measurement: the page-side check, scanner networks, staff review, opens,
reports and the timing of clicks and reports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.delivery.models import Delivery
from hygie.lib.visits import Visit
from hygie.phishing import selectors
from hygie.phishing.detection import AWAITING, CONFIRMED
from hygie.phishing.models import (
    HitKind,
    ScannerNetwork,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)
from hygie.phishing.services import delivery_confirm_presence, delivery_record_hit
from hygie.phishing.tests.support import PERSON, launch_and_send
from hygie.phishing.variants import IMAGE_NAMES


def _url(campaign: SimulationCampaign, delivery: Delivery, rest: str = "") -> str:
    return f"/{campaign.path_prefix}/{delivery.token}/{rest}"


def test_a_click_counts_as_a_person_only_once_the_page_saw_one(simulation, smtp_server, client):
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    page = client.get(_url(simulation, delivery), **PERSON)
    assert f'src="/{simulation.path_prefix}/s.js"' in page.content.decode()
    click = SimulationEvent.objects.get(kind=HitKind.CLICK)
    assert (click.verdict, click.reasons) == (Verdict.UNCERTAIN, [AWAITING])
    result = SimulationResult.objects.get(delivery=delivery)
    # Still counted as a click (a person without JavaScript must not vanish)…
    assert result.stage == Stage.CLICKED and result.uncertain_hits == 1 and not result.confirmed

    beacon = client.post(_url(simulation, delivery, "v/"), **PERSON)
    assert beacon.status_code == 204
    click.refresh_from_db()
    assert click.verdict == Verdict.HUMAN and click.reasons == [CONFIRMED]
    result.refresh_from_db()
    assert result.confirmed and result.uncertain_hits == 0
    funnel = selectors.funnel(simulation)
    assert (funnel.rates[0].count, funnel.confirmed_clicks.count) == (1, 1)
    # A submission right after: the page already saw the person, it is theirs at once.
    client.post(_url(simulation, delivery), {"identifiant": "x"}, **PERSON)
    submit = SimulationEvent.objects.get(kind=HitKind.SUBMIT)
    assert (submit.verdict, submit.reasons) == (Verdict.HUMAN, [CONFIRMED])


def test_a_late_or_robotic_confirmation_confirms_nothing(simulation, smtp_server):
    launch_and_send(simulation)
    delivery = Delivery.objects.select_related("mailing__organisation").first()
    factory = RequestFactory()
    person = factory.get("/", REMOTE_ADDR="192.0.2.10", **PERSON)
    now = timezone.now()
    delivery_record_hit(
        delivery=delivery,
        kind=HitKind.CLICK,
        visit=Visit.from_request(person),
        awaiting_page=True,
        now=now,
    )
    scanner = factory.post(
        "/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Mimecast URL Protect", HTTP_HOST="localhost"
    )
    assert (
        delivery_confirm_presence(
            delivery=delivery, visit=Visit.from_request(scanner), now=now + timedelta(seconds=5)
        )
        == 0
    )
    late = now + timedelta(minutes=11)
    assert (
        delivery_confirm_presence(delivery=delivery, visit=Visit.from_request(person), now=late)
        == 0
    )
    assert SimulationEvent.objects.get(kind=HitKind.CLICK).verdict == Verdict.UNCERTAIN


def test_unknown_tokens_get_the_same_beacon_answer_and_record_nothing(simulation, client):
    response = client.post(f"/{simulation.path_prefix}/{'x' * 27}/v/", **PERSON)
    assert response.status_code == 204
    assert not SimulationEvent.objects.exists()


def test_the_page_check_script_is_served_on_the_tracking_host_only(simulation, client):
    script = client.get(f"/{simulation.path_prefix}/s.js", HTTP_HOST="localhost")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    body = script.content.decode()
    assert "sendBeacon" in body and "isTrusted" in body
    assert "hygie" not in body.lower()
    assert client.get(f"/{simulation.path_prefix}/s.js", HTTP_HOST="127.0.0.1").status_code == 404


def test_hits_from_a_scanner_network_are_robots(
    simulation, smtp_server, client, console, admin, organisation
):
    launch_and_send(simulation)
    staff = console(admin)
    url = reverse("phishing:scanners")
    bad = staff.post(url, {"cidr": "not-a-range", "label": "X"})
    assert "not-a-range" in bad.context["form"].errors["cidr"][0]
    too_wide = staff.post(url, {"cidr": "10.0.0.0/4", "label": "X"})
    assert list(too_wide.context["form"].errors) == ["cidr"]
    assert not ScannerNetwork.objects.exists()
    staff.post(url, {"cidr": "203.0.113.0/24", "label": "Passerelle du fournisseur"})
    assert ScannerNetwork.objects.get().cidr == "203.0.113.0/24"
    assert AuditEntry.objects.filter(action="simulation.scanner_network_added").exists()

    first, second = Delivery.objects.order_by("pk")[:2]
    client.get(_url(simulation, first), REMOTE_ADDR="203.0.113.77", **PERSON)
    client.get(_url(simulation, second), REMOTE_ADDR="198.51.100.4", **PERSON)
    robot = SimulationEvent.objects.get(delivery=first)
    assert robot.verdict == Verdict.AUTOMATED
    assert "scanner network: Passerelle du fournisseur" in robot.reasons
    assert SimulationEvent.objects.get(delivery=second).verdict == Verdict.UNCERTAIN
    # The address itself is never stored.
    assert "203.0.113.77" not in repr(list(SimulationEvent.objects.values()))


def test_staff_reclassify_a_hit_and_the_results_follow(
    simulation, smtp_server, client, console, admin, staff_of, outsider
):
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    client.get(_url(simulation, delivery), **PERSON)
    event = SimulationEvent.objects.get()
    url = reverse("phishing:hits", args=[simulation.pk])

    analyst = console(staff_of(Role.ANALYST))
    assert analyst.get(url).status_code == 200
    assert analyst.post(url, {"event": event.pk, "verdict": "automated"}).status_code == 403
    event.refresh_from_db()
    assert event.reviewed_verdict == ""

    assert (
        console(outsider).post(url, {"event": event.pk, "verdict": "automated"}).status_code == 404
    )
    staff = console(admin)
    staff.post(url, {"event": event.pk, "verdict": "automated"})
    event.refresh_from_db()
    assert (event.verdict, event.reviewed_verdict) == (Verdict.UNCERTAIN, Verdict.AUTOMATED)
    result = SimulationResult.objects.get(delivery=delivery)
    assert result.stage == Stage.SENT and result.automated_hits == 1
    entry = AuditEntry.objects.get(action="simulation.hit_reclassified")
    assert entry.details == {"event": event.pk, "from": "uncertain", "to": "automated"}
    page = staff.get(url + "?verdict=automated")
    assert list(page.context["page"].object_list) == [event]
    assert "after delivery" not in page.content.decode()


def test_open_pixel_counts_per_person_only_where_allowed(
    simulation, smtp_server, client, organisation
):
    launch_and_send(simulation)
    html = smtp_server.messages[0].message.get_body(("html",)).get_content()
    # The image's name is one of several, chosen per campaign: no fixed name to learn.
    (image,) = re.findall(rf"/{simulation.path_prefix}/[\w-]+/([a-z-]+\.gif)", html)
    assert image.removesuffix(".gif") in IMAGE_NAMES
    first, second, third = Delivery.objects.order_by("pk")
    organisation.track_individual_opens = True
    organisation.save()
    pixel = client.get(_url(simulation, first, image), **PERSON)
    assert pixel["Content-Type"] == "image/gif" and pixel.content.startswith(b"GIF89a")
    client.get(
        _url(simulation, second, image),
        HTTP_HOST="localhost",
        HTTP_USER_AGENT="Mozilla/5.0 (via ggpht.com GoogleImageProxy)",
    )
    # Gmail's proxy fetches the image when the person opens: theirs, device unknown.
    assert SimulationResult.objects.get(delivery=first).stage == Stage.OPENED
    assert SimulationResult.objects.get(delivery=second).stage == Stage.OPENED
    # Apple Mail fetches every image on delivery: a machine open, shown apart.
    client.get(_url(simulation, third, image), HTTP_HOST="localhost", HTTP_USER_AGENT="Mozilla/5.0")
    assert SimulationResult.objects.get(delivery=third).stage == Stage.SENT
    funnel = selectors.funnel(simulation)
    assert (funnel.opened.count, funnel.machine_opens) == (2, 1)

    organisation.track_individual_opens = False
    organisation.save()
    client.get(_url(simulation, third, image), **PERSON)
    assert SimulationEvent.objects.filter(delivery=third).count() == 1
    simulation.refresh_from_db()
    assert simulation.anonymous_opens == 1
    funnel = selectors.funnel(simulation)
    assert funnel.opened is None and funnel.anonymous_opens == 1
    unknown = client.get(f"/{simulation.path_prefix}/{'y' * 27}/{image}", **PERSON)
    assert unknown.content == pixel.content


def test_a_report_from_the_message_is_the_best_outcome(
    simulation, smtp_server, client, organisation, admin
):
    from hygie.phishing.models import Scenario
    from hygie.phishing.services import campaign_create
    from hygie.phishing.tests.support import open_window
    from hygie.reporting.models import Mailbox

    organisation.anonymity_threshold = 1
    organisation.save()
    Mailbox.objects.create(
        organisation=organisation, address="signalement@urps.example", host="i", username="u"
    )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Avec signalement",
        scenarios=[Scenario.objects.get(slug="espace-pro-sante-avis-paiement")],
        segment=simulation.segment,
        report_link=True,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    message = smtp_server.messages[0].message
    delivery = Delivery.objects.get(
        mailing=campaign.mailing, recipient=message["To"].addresses[0].addr_spec
    )
    # The message says to forward it; the r/ address answers the messages that
    # carried a report link before.
    assert "transférez-le à signalement@urps.example" in message.get_body(("plain",)).get_content()

    # A tracking process that never sent mail has not cached the site's URLs.
    from hygie.delivery import sending

    sending._unsubscribe_prefix.cache_clear()
    # Following the link (as mail scanners do) records nothing.
    ask = client.get(_url(campaign, delivery, "r/"), **PERSON)
    assert ask.status_code == 200 and b"<form" in ask.content
    assert not SimulationEvent.objects.exists()
    thanks = client.post(_url(campaign, delivery, "r/"), **PERSON)
    assert 'data-testid="well-spotted"' in thanks.content.decode()
    client.post(_url(campaign, delivery, "v/"), **PERSON)
    result = SimulationResult.objects.get(delivery=delivery)
    assert result.reported_at is not None and result.stage == Stage.SENT
    funnel = selectors.funnel(campaign)
    assert funnel.reported_only.count == 1 and funnel.rates[2].count == 1
    assert SimulationEvent.objects.get(kind=HitKind.REPORT).verdict == Verdict.HUMAN


def test_time_to_click_and_to_report_distributions(simulation, smtp_server, organisation):
    organisation.anonymity_threshold = 2
    organisation.save()
    launch_and_send(simulation)
    a, b, c = Delivery.objects.order_by("pk")
    sent = timezone.now() - timedelta(days=5)
    Delivery.objects.update(sent_at=sent)
    SimulationResult.objects.filter(delivery=a).update(
        stage=Stage.CLICKED, clicked_at=sent + timedelta(minutes=3)
    )
    SimulationResult.objects.filter(delivery=b).update(
        stage=Stage.CLICKED, clicked_at=sent + timedelta(hours=2)
    )
    SimulationResult.objects.filter(delivery=c).update(reported_at=sent + timedelta(minutes=10))
    clicks = selectors.distribution(simulation, "clicked_at")
    assert clicks.total == 2 and clicks.median_minutes == round((3 + 120) / 2)
    counts = {str(label): n for label, n, _percent in clicks.buckets}
    assert counts["under 5 min"] == 1 and counts["1 to 4 h"] == 1
    assert sum(counts.values()) == 2
    # One report only: below the threshold of 2, withheld.
    reports = selectors.distribution(simulation, "reported_at")
    assert reports.suppressed and reports.buckets == []


@pytest.mark.parametrize("outcome", ["clicked", "submitted"])
def test_the_red_flags_missed_depend_on_how_far_people_went(
    simulation, smtp_server, organisation, outcome
):
    organisation.anonymity_threshold = 1
    organisation.save()
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    stage = Stage.CLICKED if outcome == "clicked" else Stage.SUBMITTED
    SimulationResult.objects.filter(delivery=delivery).update(stage=stage)
    scenario = simulation.scenarios.get()
    missed = selectors.missed_flags(simulation)
    on_landing = {f["anchor"] for f in scenario.data["red_flags"] if f["where"] == "landing"}
    anchors = {m.anchor for m in missed}
    assert anchors
    assert bool(anchors & on_landing) == (outcome == "submitted")
    assert all(m.people == 1 and m.percent == 33.3 for m in missed)


def test_rates_by_group_hide_groups_below_the_threshold(
    simulation, smtp_server, organisation, console, admin
):
    from hygie.audience.models import Person

    organisation.anonymity_threshold = 2
    organisation.save()
    Person.objects.filter(last_name__in=["Durand0", "Durand1"]).update(departement="69")
    Person.objects.filter(last_name="Durand2").update(departement="01")
    launch_and_send(simulation)
    clicked = Delivery.objects.get(person__last_name="Durand0")
    SimulationResult.objects.filter(delivery=clicked).update(stage=Stage.CLICKED)
    page = console(admin).get(reverse("phishing:results", args=[simulation.pk]) + "?by=departement")
    result = page.context["breakdown"]
    assert [(r.name, r.sent, r.clicked.count) for r in result.rows] == [("69", 2, 1)]
    assert result.suppressed == 1
    with pytest.raises(ValueError):
        selectors.breakdown(simulation, "last_name")


def test_the_demo_simulation_goes_through_the_real_endpoints(organisation, admin, settings):
    from hygie.audience.models import Person
    from hygie.phishing.demo import past_simulation

    settings.ALLOWED_HOSTS = ["*"]
    for n in range(60):
        Person.objects.create(
            organisation=organisation, email=f"demo{n}@example.org", departement="33"
        )
    Person.objects.create(organisation=organisation, email="far@example.org", departement="75")
    past_simulation(organisation, admin)
    past_simulation(organisation, admin)  # once only
    (campaign,) = SimulationCampaign.objects.filter(organisation=organisation)
    funnel = selectors.funnel(campaign)
    assert funnel.sent == 60
    assert funnel.rates[0].count > 0 and funnel.automated_hits > 0
    reasons = {r for rs in SimulationEvent.objects.values_list("reasons", flat=True) for r in rs}
    assert (
        any("after delivery" in r for r in reasons)
        and "hidden link (invisible to people)" in reasons
    )
    assert SimulationEvent.objects.filter(kind=HitKind.PRESENCE).exists()


def test_the_demo_traffic_falls_on_the_same_messages_in_any_row_order(
    organisation, admin, other_organisation, outsider, settings, monkeypatch
):
    from hygie.audience.models import Person
    from hygie.delivery.models import Delivery
    from hygie.phishing.demo import past_simulation

    settings.ALLOWED_HOSTS = ["*"]

    def traffic(union, staff) -> list[list[str]]:
        for n in range(40):
            Person.objects.create(organisation=union, email=f"p{n}@x.example", departement="33")
        past_simulation(union, staff)
        sent = Delivery.objects.filter(mailing__organisation=union).order_by("pk")
        return [
            sorted(SimulationEvent.objects.filter(delivery=d).values_list("kind", flat=True))
            for d in sent
        ]

    in_order = traffic(organisation, admin)
    # A database that returns unordered rows the other way round (PostgreSQL returns them
    # in whatever order its pages hold them).
    monkeypatch.setattr(Delivery._meta, "ordering", ["-pk"])
    assert traffic(other_organisation, outsider) == in_order
