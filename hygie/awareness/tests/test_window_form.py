"""The awareness campaign's creation form shows the sending window, pre-filled with the
organisation's default; the window chosen there is the one its messages leave in."""

from __future__ import annotations

import html
import re
from datetime import time
from zoneinfo import ZoneInfo

from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.awareness.models import AwarenessCampaign
from hygie.delivery.models import Delivery
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.testing.forms import DEFAULT_WINDOW
from hygie.testing.text import plain


def _people(organisation, count: int = 12) -> Segment:
    for n in range(count):
        Person.objects.create(
            organisation=organisation, email=f"dr{n}@example.org", last_name=f"Durand{n}"
        )
    return Segment.objects.create(organisation=organisation, name="Tous")


def test_the_form_shows_the_default_window_in_the_organisations_time_zone(
    console, admin, organisation
):
    organisation.time_zone = "America/Cayenne"
    organisation.save()
    response = console(admin).get(reverse("awareness:campaign_new"))
    form = response.context["form"]
    assert form["window_days"].value() == [0, 1, 2, 3, 4]
    assert (form["window_start"].value(), form["window_end"].value()) == (time(8), time(19))
    page = plain(response.content.decode())
    assert 'name="window_start" value="08:00"' in page
    assert 'name="window_end" value="19:00"' in page
    assert len(re.findall(r'name="window_days" value="\d" [^>]*checked', page)) == 5
    assert "America/Cayenne" in page


def test_the_chosen_window_reaches_the_mailing_its_confirmation_and_its_sends(
    console, admin, organisation
):
    capsules_sync()
    segment = _people(organisation)
    client = console(admin)
    response = client.post(
        reverse("awareness:campaign_new"),
        {
            "name": "Sauvegardes du samedi",
            "capsule": Capsule.objects.get(slug="sauvegardes", language="fr").pk,
            "segment": segment.pk,
            "window_days": ["5"],
            "window_start": "10:00",
            "window_end": "12:30",
        },
    )
    assert response.status_code == 302
    mailing = AwarenessCampaign.objects.get().mailing
    assert (mailing.window_days, mailing.window_start, mailing.window_end) == (
        [5],
        time(10),
        time(12, 30),
    )
    confirm = client.get(reverse("delivery:mailing_confirm", args=[mailing.pk, "launch"]))
    page = plain(confirm.content.decode())
    first = re.search(r'data-testid="first-send">First message: (\w+) .*?, (\d\d):(\d\d)', page)
    last = re.search(r'data-testid="last-send">Last message: about (\w+) .*?, (\d\d):(\d\d)', page)
    assert first and last, page
    for found in (first, last):
        assert found.group(1) == "Saturday"
        assert time(10) <= time(int(found.group(2)), int(found.group(3))) <= time(12, 30)
    assert "Saturday from 10:00 to 12:30 (Europe/Paris time)" in page

    mailing_launch(mailing=mailing, actor=Actor.system())
    zone = ZoneInfo(organisation.time_zone)
    sends = [d.scheduled_at.astimezone(zone) for d in Delivery.objects.filter(mailing=mailing)]
    assert len(sends) == 12
    assert all(s.weekday() == 5 and time(10) <= s.time() < time(12, 30) for s in sends)


def test_a_window_that_ends_before_it_starts_is_refused_and_creates_nothing(
    console, admin, organisation
):
    capsules_sync()
    segment = _people(organisation, 1)
    response = console(admin).post(
        reverse("awareness:campaign_new"),
        {
            "name": "À l'envers",
            "capsule": Capsule.objects.get(slug="sauvegardes", language="fr").pk,
            "segment": segment.pk,
            **DEFAULT_WINDOW,
            "window_start": "18:00",
            "window_end": "09:00",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    page = html.unescape(plain(response.content.decode()))
    assert "La plage d'envoi doit se terminer après son début." in page
    assert not AwarenessCampaign.objects.exists()
