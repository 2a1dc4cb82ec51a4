"""The results overview: progress per campaign and the most frequent errors, k applied."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.urls import reverse
from django.utils import timezone

from hygie.audience.models import Person, Segment
from hygie.awareness.services import campaign_create as awareness_create
from hygie.delivery import engine
from hygie.delivery.models import Delivery, SendingProfile
from hygie.delivery.services import mailing_launch
from hygie.library.loader import load as load_capsules
from hygie.library.models import Capsule
from hygie.phishing.loader import load as load_scenarios
from hygie.phishing.models import Scenario, SimulationAnnouncement
from hygie.phishing.services import campaign_create as simulation_create
from hygie.phishing.services import campaign_launch

PERSON = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0",
    "HTTP_ACCEPT_LANGUAGE": "fr-FR",
}


def open_window(mailing):
    mailing.window_days, mailing.window_start, mailing.window_end = (
        list(range(7)),
        time(0, 0),
        time(23, 59, 59),
    )
    mailing.save()


def send(mailing):
    Delivery.objects.filter(mailing=mailing).update(next_attempt_at=timezone.now())
    while engine.send_due("w1"):
        pass
    Delivery.objects.filter(mailing=mailing).update(sent_at=timezone.now() - timedelta(hours=1))


def test_progress_and_most_frequent_errors(organisation, admin, console, client, smtp_server):
    organisation.anonymity_threshold = 2
    organisation.save()
    load_capsules()
    load_scenarios()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="sim.example")
    for n in range(4):
        Person.objects.create(organisation=organisation, email=f"dr{n}@example.org")
    segment = Segment.objects.create(organisation=organisation, name="Tous")

    capsule = Capsule.objects.get(slug="sauvegardes", language="fr")
    awareness = awareness_create(
        organisation=organisation, actor=admin, name="Sauvegardes", capsule=capsule, segment=segment
    )
    open_window(awareness.mailing)
    mailing_launch(mailing=awareness.mailing, actor=admin)
    send(awareness.mailing)
    right = [next(i for i, c in enumerate(q["choices"]) if c.get("correct")) for q in capsule.quiz]
    wrong_first = next(i for i, c in enumerate(capsule.quiz[0]["choices"]) if not c.get("correct"))
    for delivery in Delivery.objects.filter(mailing=awareness.mailing)[:3]:
        url = reverse("awareness:capsule", args=[delivery.token])
        client.get(url, **PERSON)
        answers = {f"q{i}": str(a) for i, a in enumerate(right)}
        answers["q0"] = str(wrong_first)
        client.post(url, answers, **PERSON)

    scenario = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    SimulationAnnouncement.objects.create(
        organisation=organisation, announced_on=date(2026, 9, 1), channel="email"
    )
    simulation = simulation_create(
        organisation=organisation,
        actor=admin,
        name="Printemps",
        scenarios=[scenario],
        segment=segment,
    )
    open_window(simulation.mailing)
    campaign_launch(campaign=simulation, actor=admin)
    send(simulation.mailing)
    for delivery in Delivery.objects.filter(mailing=simulation.mailing)[:2]:
        client.get(f"/{simulation.path_prefix}/{delivery.token}/", HTTP_HOST="localhost", **PERSON)

    page = console(admin).get(reverse("analytics:overview"))
    assert page.status_code == 200
    (point,) = page.context["awareness"]
    assert (point.sent, point.read_percent) == (4, 75.0)
    (sim,) = page.context["simulations"]
    assert (sim.sent, sim.clicked_percent) == (4, 50.0)
    top = page.context["missed_questions"][0]
    assert top.question == capsule.quiz[0]["question"] and top.wrong_percent == 100
    clues = page.context["missed_clues"]
    assert {c.clue for c in clues} <= {f["anchor"] for f in scenario.data["red_flags"]}
    assert clues and all(c.people == 2 for c in clues)

    organisation.anonymity_threshold = 5
    organisation.save()
    page = console(admin).get(reverse("analytics:overview"))
    assert page.context["missed_questions"] == [] and page.context["missed_clues"] == []
