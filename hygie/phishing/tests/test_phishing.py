"""Simulations: scenario files, the launch guard, tracked links, robots, privacy, results."""

from __future__ import annotations

import logging
import re
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, SendingProfile
from hygie.phishing import selectors
from hygie.phishing.content.scenarios import parse, problems, scenario_files, scenarios_sync
from hygie.phishing.lookup import forget_campaigns
from hygie.phishing.models import (
    Scenario,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)
from hygie.phishing.services import campaign_create, campaign_launch
from hygie.phishing.tests.support import PERSON, launch_and_send
from hygie.testing.text import plain

SECRET = "Tr0ub4dor&3-sup3r-s3cret"


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_each_shipped_scenario_is_valid(path):
    data, _checksum = parse(path)
    assert problems(data, path) == []


def test_the_library_is_varied():
    scenarios = [parse(p)[0] for p in scenario_files()]
    assert len(scenarios) >= 12
    assert {s["channel"] for s in scenarios} >= {"email", "sms", "qr"}
    assert len({s["difficulty"] for s in scenarios}) >= 3
    assert {s["technique"] for s in scenarios} >= {"link", "credential_form"}


def test_no_simulation_before_the_members_were_told(simulation):
    with pytest.raises(ValidationError, match="told"):
        campaign_launch(campaign=simulation, actor=Actor.system())
    assert not Delivery.objects.exists()


def test_the_lure_goes_out_from_the_simulation_domain(simulation, smtp_server):
    launch_and_send(simulation)
    message = smtp_server.messages[0].message
    assert str(message["From"]).endswith("@espace-pro.example>")
    assert message["List-Unsubscribe"] is None
    html = message.get_body(("html",)).get_content()
    delivery = Delivery.objects.get(recipient=smtp_server.messages[0].recipients[0])
    assert f"/{simulation.path_prefix}/{delivery.token}/h/" in html  # the hidden link
    assert "hygie" not in message.as_string().lower()


def test_a_person_clicks_submits_and_learns(simulation, smtp_server, client, caplog):
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    url = f"/{simulation.path_prefix}/{delivery.token}/"
    with caplog.at_level(logging.DEBUG):
        landing = client.get(url, **PERSON)
        assert landing.status_code == 200 and b"<form" in landing.content
        policy = dict(
            d.strip().split(" ", 1) for d in landing["Content-Security-Policy"].split(";")
        )
        assert policy["style-src"] == "'unsafe-inline'"
        assert policy["script-src"] == "'self'"  # only the page-side check, never inline
        assert f'data-v="/{simulation.path_prefix}/{delivery.token}/v/"' in landing.content.decode()
        # The person types into the form: the page reports it before the submission.
        client.post(url + "v/", **PERSON)
        teach = client.post(url, {"identifiant": "dr.durand", "mot_de_passe": SECRET}, **PERSON)
    body = plain(teach.content.decode())
    assert "exercice" in body or "exercise" in body
    scenario = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    assert body.count("<mark") >= 2
    for flag in scenario.data["red_flags"]:
        assert flag["explanation"].replace("'", "&#x27;")[:40] in body

    result = SimulationResult.objects.get(delivery=delivery)
    assert result.stage == Stage.SUBMITTED and result.clicked_at and result.submitted_at
    submit = SimulationEvent.objects.get(kind="submit")
    assert submit.field_kinds == ["identifier", "password"]
    assert submit.verdict == Verdict.HUMAN

    # The typed password is nowhere: not in any table, not in the logs.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            assert SECRET not in repr(cursor.fetchall()), table
    assert SECRET not in caplog.text
    assert "dr.durand" not in caplog.text

    # A later click does not move the status backwards.
    client.get(url, **PERSON)
    result.refresh_from_db()
    assert result.stage == Stage.SUBMITTED


def test_robots_are_recognised_and_kept_apart(simulation, smtp_server, client, admin, console):
    launch_and_send(simulation)
    first, second, third = Delivery.objects.order_by("pk")
    prefix = simulation.path_prefix
    client.get(
        f"/{prefix}/{first.token}/",
        HTTP_HOST="localhost",
        HTTP_USER_AGENT="Mozilla/5.0 (compatible; Mimecast URL Protect)",
    )
    client.head(f"/{prefix}/{second.token}/", **PERSON)
    client.get(f"/{prefix}/{third.token}/h/", **PERSON)
    Delivery.objects.filter(pk=first.pk).update(sent_at=timezone.now() - timedelta(seconds=3))
    client.get(f"/{prefix}/{first.token}/", **PERSON)
    verdicts = list(SimulationEvent.objects.values_list("verdict", "reasons"))
    assert all(v == Verdict.AUTOMATED for v, _ in verdicts), verdicts
    reasons = " ".join(r for _, rs in verdicts for r in rs)
    assert "mimecast" in reasons and "HEAD" in reasons and "hidden link" in reasons
    assert "after delivery" in reasons
    funnel = console(admin).get(reverse("phishing:results", args=[simulation.pk])).context["funnel"]
    assert funnel.rates[0].count == 0
    assert funnel.automated_hits == 4


def test_unknown_tokens_look_ordinary_and_record_nothing(simulation, smtp_server, client):
    launch_and_send(simulation)
    valid = Delivery.objects.first()
    unknown = client.get(f"/{simulation.path_prefix}/{'x' * 27}/", **PERSON)
    wrong_prefix = client.get(f"/autre/{valid.token}/", **PERSON)
    assert unknown.status_code == wrong_prefix.status_code == 200
    assert not SimulationEvent.objects.exists()
    assert b"hygie" not in unknown.content.lower()
    # Known or not, the pages carry the same page-side check.
    assert f'src="/{simulation.path_prefix}/s.js"'.encode() in unknown.content


def test_tracked_links_are_not_served_on_the_console_host(simulation, smtp_server, client):
    launch_and_send(simulation)
    token = Delivery.objects.first().token
    response = client.get(f"/{simulation.path_prefix}/{token}/", HTTP_HOST="127.0.0.1")
    assert response.status_code == 404
    assert not SimulationEvent.objects.exists()


def test_results_show_rates_with_intervals(
    simulation, smtp_server, client, admin, console, organisation
):
    organisation.anonymity_threshold = 1
    organisation.save()
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    client.get(f"/{simulation.path_prefix}/{delivery.token}/", **PERSON)
    page = console(admin).get(reverse("phishing:results", args=[simulation.pk]))
    funnel = page.context["funnel"]
    assert funnel.sent == 3
    clicked = funnel.rates[0]
    assert (clicked.count, clicked.percent) == (1, 33.3)
    low, high = clicked.interval
    assert 0 < low < 33.3 < high < 100
    assert funnel.by_scenario[0][1:] == (3, 1, 0)


def test_wilson_interval_is_sane_at_the_edges():
    assert selectors.wilson(0, 0) == (0.0, 0.0)
    low, high = selectors.wilson(0, 20)
    assert low == 0.0 and 10 < high < 20
    low, high = selectors.wilson(50, 100)
    assert 39 < low < 41 and 59 < high < 61


def test_foreign_results_are_not_found(simulation, console, outsider):
    assert (
        console(outsider).get(reverse("phishing:results", args=[simulation.pk])).status_code == 404
    )


def test_simulation_links_use_random_prefixes(simulation, admin, organisation):
    other = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Autre",
        scenarios=list(Scenario.objects.all()[:1]),
        segment=Segment.objects.get(),
    )
    assert re.fullmatch(r"[a-z]+[0-9a-f]{4}", other.path_prefix)
    assert other.path_prefix != simulation.path_prefix or other.pk == simulation.pk


def test_a_hidden_link_hit_unmasks_the_visit_before_it(simulation, smtp_server, client):
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    client.get(f"/{simulation.path_prefix}/{delivery.token}/", **PERSON)
    assert SimulationResult.objects.get(delivery=delivery).stage == Stage.CLICKED
    client.get(f"/{simulation.path_prefix}/{delivery.token}/h/", **PERSON)
    result = SimulationResult.objects.get(delivery=delivery)
    assert result.stage == Stage.SENT and result.automated_hits == 2
    assert all(e.verdict == Verdict.AUTOMATED for e in SimulationEvent.objects.all())


def test_one_address_reaching_many_recipients_is_a_robot(organisation, admin, smtp_server, client):
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    for n in range(6):
        Person.objects.create(organisation=organisation, email=f"dr{n}@example.org")
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Burst",
        scenarios=list(Scenario.objects.filter(channel="email")[:1]),
        segment=segment,
    )
    campaign.mailing.window_days = list(range(7))
    campaign.mailing.window_start, campaign.mailing.window_end = time(0, 0), time(23, 59, 59)
    campaign.mailing.save()
    launch_and_send(campaign)
    deliveries = list(Delivery.objects.order_by("pk"))
    # Two colleagues behind one practice connection: people.
    for delivery in deliveries[:2]:
        client.get(f"/{campaign.path_prefix}/{delivery.token}/", REMOTE_ADDR="192.0.2.7", **PERSON)
    assert SimulationResult.objects.filter(stage=Stage.CLICKED).count() == 2
    # A crawler from another address reaching four recipients in a minute: a robot, all along.
    for delivery in deliveries[2:6]:
        client.get(
            f"/{campaign.path_prefix}/{delivery.token}/", REMOTE_ADDR="198.51.100.9", **PERSON
        )
    assert SimulationResult.objects.filter(stage=Stage.CLICKED).count() == 2
    crawler = SimulationEvent.objects.filter(delivery__in=deliveries[2:6])
    assert all(e.verdict == Verdict.AUTOMATED for e in crawler)
    assert not SimulationEvent.objects.filter(source="").exists()


def test_it_was_not_me(simulation, smtp_server, client):
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    url = f"/{simulation.path_prefix}/{delivery.token}/"
    client.get(url, **PERSON)
    assert SimulationResult.objects.get(delivery=delivery).stage == Stage.CLICKED
    assert client.post(url + "pas-moi/", **PERSON).status_code == 200
    result = SimulationResult.objects.get(delivery=delivery)
    assert result.stage == Stage.SENT and result.automated_hits == 1


def test_an_ended_simulation_stops_counting_after_the_grace_period(
    simulation, smtp_server, client, admin, console
):
    from hygie.phishing.services import TRACKING_GRACE

    launch_and_send(simulation)
    console(admin).post(reverse("phishing:results", args=[simulation.pk]), {"action": "end"})
    simulation.refresh_from_db()
    assert simulation.ended_at is not None
    first, second = Delivery.objects.order_by("pk")[:2]
    client.get(f"/{simulation.path_prefix}/{first.token}/", **PERSON)
    assert SimulationEvent.objects.count() == 1  # still inside the grace period
    type(simulation).objects.filter(pk=simulation.pk).update(
        ended_at=timezone.now() - TRACKING_GRACE - timedelta(minutes=1)
    )
    forget_campaigns()  # as each web process does within CAMPAIGNS_TTL
    response = client.get(f"/{simulation.path_prefix}/{second.token}/", **PERSON)
    assert response.status_code == 200
    assert SimulationEvent.objects.count() == 1


def test_segment_of_people_who_clicked_in_the_latest_simulation(
    simulation, smtp_server, client, organisation
):
    from hygie.audience.segments import SegmentFilters

    launch_and_send(simulation)
    clicked = Delivery.objects.order_by("pk").first()
    client.get(f"/{simulation.path_prefix}/{clicked.token}/", **PERSON)
    people = Person.objects.filter(organisation=organisation)
    assert list(SegmentFilters(clicked_last_simulation=True).apply(people)) == [clicked.person]
    assert SegmentFilters(clicked_last_simulation=False).apply(people).count() == 2


def test_qr_scenarios_carry_a_code_to_the_personal_link(organisation, admin, smtp_server, client):
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    Person.objects.create(organisation=organisation, email="dr0@example.org")
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    scenario = Scenario.objects.filter(channel="qr").first()
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="QR",
        scenarios=[scenario],
        segment=segment,
    )
    campaign.mailing.window_days = list(range(7))
    campaign.mailing.window_start, campaign.mailing.window_end = time(0, 0), time(23, 59, 59)
    campaign.mailing.save()
    launch_and_send(campaign)
    delivery = Delivery.objects.get()
    html = smtp_server.messages[0].message.get_body(("html",)).get_content()
    image = f"/{campaign.path_prefix}/{delivery.token}/q.png"
    assert image in html
    response = client.get(image, HTTP_HOST="localhost")
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert not SimulationEvent.objects.exists()  # showing the code is not a click


def test_a_red_flag_must_point_at_something(tmp_path):
    data, _checksum = parse(scenario_files()[0])
    data["red_flags"][0]["anchor"] = " "
    path = tmp_path / f"{data['slug']}.yaml"
    assert "red flag 1: missing anchor" in problems(data, path)
