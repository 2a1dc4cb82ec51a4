"""The simulation's creation form shows the sending window with the organisation's
default; the window chosen there reaches the mailing, the launch confirmation (first and
last send) and the sends themselves, and a launch asks for that confirmation first."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo

from django.urls import reverse

from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, MailingStatus, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement, SimulationCampaign
from hygie.testing.text import plain


def _ready(organisation) -> Segment:
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    SimulationAnnouncement.objects.create(
        organisation=organisation, announced_on=date(2026, 9, 1), channel="email"
    )
    for n in range(10):
        Person.objects.create(
            organisation=organisation, email=f"dr{n}@example.org", last_name=f"Durand{n}"
        )
    return Segment.objects.create(organisation=organisation, name="Tous")


def test_the_form_shows_the_default_window(console, admin, organisation):
    _ready(organisation)
    response = console(admin).get(reverse("phishing:simulation_new"))
    form = response.context["form"]
    assert form["window_days"].value() == [0, 1, 2, 3, 4]
    assert (form["window_start"].value(), form["window_end"].value()) == (time(8), time(19))
    page = plain(response.content.decode())
    assert 'name="window_start" value="08:00"' in page
    assert len(re.findall(r'name="window_days" value="\d" [^>]*checked', page)) == 5
    assert "Europe/Paris" in page


def test_the_chosen_window_reaches_the_confirmation_and_the_sends(console, admin, organisation):
    segment = _ready(organisation)
    client = console(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.post(
        reverse("phishing:simulation_new"),
        {
            "name": "Automne du dimanche",
            "scenarios": [Scenario.objects.get(slug="espace-pro-sante-avis-paiement").pk],
            "segment": segment.pk,
            "window_days": ["6"],
            "window_start": "17:00",
            "window_end": "21:00",
            "after_click": "teach",
        },
    )
    assert response.status_code == 302
    campaign = SimulationCampaign.objects.get()
    mailing = campaign.mailing
    assert (mailing.window_days, mailing.window_start, mailing.window_end) == (
        [6],
        time(17),
        time(21),
    )
    # The launch button leads to the confirmation; a launch not confirmed sends nothing.
    results = client.get(reverse("phishing:results", args=[campaign.pk])).content.decode()
    assert reverse("phishing:launch_confirm", args=[campaign.pk]) in results
    unconfirmed = client.post(reverse("phishing:results", args=[campaign.pk]), {"action": "launch"})
    assert unconfirmed["Location"] == reverse("phishing:launch_confirm", args=[campaign.pk])
    assert not Delivery.objects.exists()

    confirm = client.get(reverse("phishing:launch_confirm", args=[campaign.pk]))
    page = plain(confirm.content.decode())
    assert "10 destinataires" in page
    moment = r" (\w+) .*?, (\d\d):(\d\d)"
    first = re.search(r'data-testid="first-send">Premier message :' + moment, page)
    last = re.search(r'data-testid="last-send">Dernier message : vers' + moment, page)
    assert first and last, page
    for found in (first, last):
        assert found.group(1) == "dimanche"
        assert time(17) <= time(int(found.group(2)), int(found.group(3))) <= time(21)

    client.post(
        reverse("phishing:results", args=[campaign.pk]), {"action": "launch", "confirmed": "yes"}
    )
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SCHEDULED
    zone = ZoneInfo(organisation.time_zone)
    sends = [d.scheduled_at.astimezone(zone) for d in Delivery.objects.filter(mailing=mailing)]
    assert len(sends) == 10
    assert all(s.weekday() == 6 and time(17) <= s.time() < time(21) for s in sends)
