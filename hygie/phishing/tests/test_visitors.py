"""Verdicts per visitor: a page confirmation or a hidden-link unmasking applies to
one visitor's hits only, and people sharing one address stay people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from hygie.accounts.models import AuditEntry
from hygie.audience.models import Person
from hygie.delivery.models import Delivery
from hygie.lib.visits import Visit
from hygie.phishing import selectors
from hygie.phishing.detection import source_of, visitor_of
from hygie.phishing.models import (
    HitKind,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)
from hygie.phishing.reasons import reason_label
from hygie.phishing.services import (
    delivery_confirm_presence,
    delivery_record_hit,
    delivery_record_open,
)
from hygie.phishing.tests.support import PERSON, launch_and_send

FIREFOX = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
    "Firefox/133.0",
    "HTTP_ACCEPT_LANGUAGE": "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3",
    "HTTP_HOST": "localhost",
}
factory = RequestFactory()


def _delivery() -> Delivery:
    return Delivery.objects.select_related("mailing__organisation").order_by("pk").first()


def _url(campaign: SimulationCampaign, delivery: Delivery, rest: str = "") -> str:
    return f"/{campaign.path_prefix}/{delivery.token}/{rest}"


def test_a_page_confirmation_confirms_only_that_visitors_hits(simulation, smtp_server):
    launch_and_send(simulation)
    delivery = _delivery()
    now = timezone.now()
    # A gateway's fetch that looks like a browser (it runs no script on the page)…
    gateway = factory.get("/", REMOTE_ADDR="192.0.2.200", **FIREFOX)
    prefetch = delivery_record_hit(
        delivery=delivery,
        kind=HitKind.CLICK,
        visit=Visit.from_request(gateway),
        awaiting_page=True,
        now=now,
    )
    # …then the person, from the practice's address, who moves on the page.
    person = factory.get("/", REMOTE_ADDR="198.51.100.7", **PERSON)
    click = delivery_record_hit(
        delivery=delivery,
        kind=HitKind.CLICK,
        visit=Visit.from_request(person),
        awaiting_page=True,
        now=now + timedelta(minutes=2),
    )
    beacon = factory.post("/", REMOTE_ADDR="198.51.100.7", **PERSON)
    assert (
        delivery_confirm_presence(
            delivery=delivery, visit=Visit.from_request(beacon), now=now + timedelta(minutes=2)
        )
        == 1
    )
    click.refresh_from_db()
    prefetch.refresh_from_db()
    assert click.verdict == Verdict.HUMAN
    assert prefetch.verdict == Verdict.UNCERTAIN


def test_the_hidden_link_unmasks_only_that_visitors_hits(simulation, smtp_server, client):
    launch_and_send(simulation)
    delivery = _delivery()
    # The person clicks, moves on the page and submits the form…
    client.get(_url(simulation, delivery), REMOTE_ADDR="198.51.100.7", **PERSON)
    client.post(_url(simulation, delivery, "v/"), REMOTE_ADDR="198.51.100.7", **PERSON)
    client.post(
        _url(simulation, delivery), {"identifiant": "x"}, REMOTE_ADDR="198.51.100.7", **PERSON
    )
    # …then a scanner follows every link of the message, the hidden one included.
    client.get(_url(simulation, delivery), REMOTE_ADDR="192.0.2.200", **FIREFOX)
    client.get(_url(simulation, delivery, "h/"), REMOTE_ADDR="192.0.2.200", **FIREFOX)

    person = visitor_of(Visit.from_request(factory.get("/", REMOTE_ADDR="198.51.100.7", **PERSON)))
    verdicts = {
        (e.visitor == person, e.kind, e.verdict)
        for e in SimulationEvent.objects.exclude(kind=HitKind.PRESENCE)
    }
    assert verdicts == {
        (True, HitKind.CLICK, Verdict.HUMAN),
        (True, HitKind.SUBMIT, Verdict.HUMAN),
        (False, HitKind.CLICK, Verdict.AUTOMATED),
    }
    result = SimulationResult.objects.get(delivery=delivery)
    assert (result.stage, result.confirmed, result.automated_hits) == (Stage.SUBMITTED, True, 2)


def _four_colleagues(simulation: SimulationCampaign, organisation) -> list[Delivery]:
    Person.objects.create(organisation=organisation, email="secretariat@example.org")
    launch_and_send(simulation)
    return list(Delivery.objects.filter(mailing=simulation.mailing).order_by("pk"))


def test_a_group_practice_behind_one_address_gives_the_right_funnel(
    simulation, smtp_server, client, organisation
):
    """Four colleagues with identical browsers behind the practice's one address
    click within a minute, move on the page; one fills the form, one presses the
    report button: no hit is lost, with no correction by staff."""
    colleagues = _four_colleagues(simulation, organisation)
    office = {"REMOTE_ADDR": "203.0.113.9", **PERSON}
    for delivery in colleagues:
        client.get(_url(simulation, delivery), **office)
    for delivery in colleagues:
        client.post(_url(simulation, delivery, "v/"), **office)
    client.post(_url(simulation, colleagues[1]), {"identifiant": "x"}, **office)
    client.post(_url(simulation, colleagues[3], "r/"), **office)

    assert not SimulationEvent.objects.filter(verdict=Verdict.AUTOMATED).exists()
    funnel = selectors.funnel(simulation)
    counts = {rate.label: rate.count for rate in funnel.rates}
    assert counts == {"clicked": 4, "submitted": 1, "reported": 1}
    assert funnel.automated_hits == 0


def test_colleagues_with_their_own_browsers_are_never_a_burst(
    simulation, smtp_server, client, organisation
):
    """Without any script running (no page confirmation), distinct browsers behind
    one address are distinct visitors: each click counts."""
    colleagues = _four_colleagues(simulation, organisation)
    agents = [
        PERSON["HTTP_USER_AGENT"],
        FIREFOX["HTTP_USER_AGENT"],
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
    ]
    for delivery, agent in zip(colleagues, agents, strict=True):
        client.get(
            _url(simulation, delivery),
            REMOTE_ADDR="203.0.113.9",
            **{**PERSON, "HTTP_USER_AGENT": agent},
        )
    assert set(SimulationEvent.objects.values_list("verdict", flat=True)) == {Verdict.UNCERTAIN}
    assert SimulationResult.objects.filter(stage=Stage.CLICKED).count() == 4


def test_identical_fetchers_across_many_recipients_are_a_scanner(
    simulation, smtp_server, client, organisation
):
    colleagues = _four_colleagues(simulation, organisation)
    for delivery in colleagues:
        client.get(_url(simulation, delivery), REMOTE_ADDR="192.0.2.50", **FIREFOX)
    assert set(SimulationEvent.objects.values_list("verdict", flat=True)) == {Verdict.AUTOMATED}
    assert SimulationResult.objects.filter(stage=Stage.SENT).count() == 4
    burst = SimulationEvent.objects.order_by("-at", "-pk").first()
    assert burst.reasons[0].startswith("burst: 4 recipients")


def test_an_ipv6_line_is_one_source_and_each_browser_a_visitor():
    home = Visit.from_request(factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1", **PERSON))
    same_line = Visit.from_request(factory.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::7", **PERSON))
    other_browser = Visit.from_request(
        factory.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::7", **FIREFOX)
    )
    other_line = Visit.from_request(factory.get("/", REMOTE_ADDR="2001:db8:1:3::1", **PERSON))
    assert source_of(home) == source_of(same_line) == source_of(other_browser)
    assert visitor_of(home) == visitor_of(same_line) != visitor_of(other_browser)
    assert source_of(other_line) != source_of(home)


def test_staff_correct_every_hit_of_a_visitor_in_one_action(
    simulation, smtp_server, client, console, admin, organisation
):
    """A scanner's burst that was in fact a shared workstation: one correction turns
    every hit of that visitor (and of nobody else) back into a person's."""
    colleagues = _four_colleagues(simulation, organisation)
    for delivery in colleagues:
        client.get(_url(simulation, delivery), REMOTE_ADDR="192.0.2.50", **FIREFOX)
    client.get(_url(simulation, colleagues[0]), REMOTE_ADDR="198.51.100.7", **PERSON)
    assert SimulationResult.objects.filter(stage=Stage.CLICKED).count() == 1
    staff = console(admin)
    url = reverse("phishing:hits", args=[simulation.pk])
    page = staff.get(url).content.decode()
    # The reasons are shown in French.
    assert "rafale\u00a0: 4 destinataires depuis un même visiteur" in page
    one = SimulationEvent.objects.filter(verdict=Verdict.AUTOMATED).first()
    bad = staff.post(url, {"event": one.pk, "verdict": "human", "scope": "everyone"})
    assert bad.status_code == 302
    assert not SimulationEvent.objects.exclude(reviewed_verdict="").exists()
    staff.post(url, {"event": one.pk, "verdict": "human", "scope": "visitor"})
    reviewed = SimulationEvent.objects.exclude(reviewed_verdict="")
    assert reviewed.count() == 4 and {e.reviewed_verdict for e in reviewed} == {Verdict.HUMAN}
    assert SimulationResult.objects.filter(stage=Stage.CLICKED).count() == 4
    entry = AuditEntry.objects.get(action="simulation.hits_reclassified")
    assert (entry.details["scope"], entry.details["hits"]) == ("visitor", 4)


@pytest.mark.django_db
def test_every_reason_the_detector_gives_reads_in_french():
    from hygie.phishing.detection import AWAITING, CONFIRMED, classify

    stored = {AWAITING, CONFIRMED, "same visitor as: hidden link (invisible to people)"}
    now = timezone.now()
    robot = Visit.from_request(
        factory.head("/", REMOTE_ADDR="192.0.2.1", HTTP_SEC_PURPOSE="prefetch")
    )
    stored |= set(
        classify(robot, sent_at=now, now=now, hidden_link=True, recipients_from_visitor=5)[1]
    )
    with translation.override("fr"):
        for reason in stored:
            assert reason_label(reason) != reason, reason


def test_the_results_say_what_opens_can_and_cannot_tell(
    simulation, smtp_server, console, admin, organisation
):
    organisation.track_individual_opens = True
    organisation.save()
    launch_and_send(simulation)
    apple = factory.get("/", REMOTE_ADDR="17.58.101.9", HTTP_USER_AGENT="Mozilla/5.0")
    delivery_record_open(delivery=_delivery(), visit=Visit.from_request(apple))
    page = console(admin).get(reverse("phishing:results", args=[simulation.pk])).content.decode()
    assert "Ce que les ouvertures disent, et ce qu'elles ne disent pas" in page
    assert "1 message ouvert par une machine seulement" in page
