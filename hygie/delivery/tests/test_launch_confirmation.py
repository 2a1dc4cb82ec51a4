"""Launching and cancelling say what they will do before doing it; an evening or
night launch says when the messages will leave, and they leave spread over the window."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, MailingStatus
from hygie.delivery.tests.factories import mailing

PARIS = ZoneInfo("Europe/Paris")
NIGHT = datetime(2026, 6, 2, 2, 24, tzinfo=PARIS)  # a Tuesday, 02:24


@pytest.fixture
def at_night(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NIGHT.astimezone(ZoneInfo("UTC")))


@pytest.fixture
def draft(organisation):
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    for n in range(40):
        Person.objects.create(organisation=organisation, email=f"dr{n}@example.org", last_name="X")
    Person.objects.create(
        organisation=organisation, email="parti@example.org", status="unsubscribed"
    )
    Person.objects.create(organisation=organisation, email="rebond@example.org", status="bounced")
    Person.objects.create(organisation=organisation, email=None, last_name="Sans adresse")
    return mailing(
        organisation,
        segment=segment,
        window_days=[0, 1, 2, 3, 4],
        window_start=time(8, 0),
        window_end=time(19, 0),
    )


def test_the_launch_page_says_who_and_when_and_warns_at_night(console, admin, draft, at_night):
    page = console(admin).get(reverse("delivery:mailing_confirm", args=[draft.pk, "launch"]))
    forecast = page.context["forecast"]
    assert forecast.recipients == 40
    assert (forecast.unsubscribed, forecast.bounced, forecast.no_address) == (1, 1, 1)
    first = forecast.first_send.astimezone(PARIS)
    last = forecast.last_send.astimezone(PARIS)
    assert first.date() == last.date() == NIGHT.date()
    assert time(8) <= first.time() < time(9) and time(18) <= last.time() <= time(19)
    body = page.content.decode()
    assert 'data-testid="outside-window"' in body
    assert "02:24" in body and "mardi 2 juin, 08:00" in body  # when the window opens
    assert "40 destinataires" in body


def test_launch_needs_the_confirmation_and_spreads_the_sends(console, admin, draft, at_night):
    client = console(admin)
    url = reverse("delivery:mailing_action", args=[draft.pk, "launch"])
    unconfirmed = client.post(url)
    assert unconfirmed["Location"] == reverse("delivery:mailing_confirm", args=[draft.pk, "launch"])
    draft.refresh_from_db()
    assert draft.status == MailingStatus.DRAFT

    client.post(url, {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.status == MailingStatus.SCHEDULED
    times = [t.astimezone(PARIS) for t in Delivery.objects.values_list("scheduled_at", flat=True)]
    assert len(times) == 40
    assert all(t.date() == NIGHT.date() and time(8) <= t.time() <= time(19) for t in times)
    assert len({t.replace(second=0, microsecond=0) for t in times}) > 30  # not one burst


def test_cancel_says_what_is_lost_and_needs_the_confirmation(console, admin, draft, at_night):
    client = console(admin)
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "launch"]), {"confirmed": "yes"})
    page = client.get(reverse("delivery:mailing_confirm", args=[draft.pk, "cancel"]))
    assert page.context["unsent"] == 40
    assert "40 messages pas encore envoyés ne le seront jamais" in page.content.decode()
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "cancel"]))
    draft.refresh_from_db()
    assert draft.status == MailingStatus.SCHEDULED
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "cancel"]), {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.status == MailingStatus.CANCELLED


def test_a_paused_mailings_window_and_pace_can_be_changed(console, admin, draft, at_night):
    client = console(admin)
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "launch"]), {"confirmed": "yes"})
    schedule = reverse("delivery:mailing_schedule", args=[draft.pk])
    assert client.get(schedule)["Location"] == reverse("delivery:mailing", args=[draft.pk])
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "pause"]))
    assert client.get(schedule).status_code == 200
    response = client.post(
        schedule,
        {
            "window_days": ["1", "2"],
            "window_start": "14:00",
            "window_end": "16:00",
            "send_end": "",
        },
    )
    assert response["Location"] == reverse("delivery:mailing", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.window_days, draft.window_start, draft.window_end) == ([1, 2], time(14), time(16))
    assert draft.status == MailingStatus.PAUSED
    times = [
        t.astimezone(PARIS) for t in Delivery.objects.values_list("next_attempt_at", flat=True)
    ]
    assert len(times) == 40
    # Tuesday 02:24: the rest goes on Tuesday from 14:00 to 16:00, spread.
    assert all(t.date() == NIGHT.date() and time(14) <= t.time() <= time(16) for t in times)
    # Not one burst. The times are random over 120 minutes: 40 of them fall in about 34
    # distinct minutes, 30 or fewer in 3.5 % of draws (so "> 30" failed by chance), and
    # 20 or fewer practically never (none in 200,000 draws; the fewest was 24).
    assert len({t.replace(second=0, microsecond=0) for t in times}) > 20


def test_a_window_that_ends_before_it_starts_is_refused(console, admin, draft, at_night):
    client = console(admin)
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "launch"]), {"confirmed": "yes"})
    client.post(reverse("delivery:mailing_action", args=[draft.pk, "pause"]))
    page = client.post(
        reverse("delivery:mailing_schedule", args=[draft.pk]),
        {"window_days": ["1"], "window_start": "18:00", "window_end": "08:00"},
    )
    assert page.status_code == 200 and "window_end" in page.context["form"].errors
    draft.refresh_from_db()
    assert draft.window_start == time(8)
