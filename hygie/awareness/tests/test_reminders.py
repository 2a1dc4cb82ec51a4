"""Reminders: only to non-readers, never twice, never beyond the organisation's limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hygie.audience.models import PersonStatus
from hygie.awareness.models import QuizAttempt, ReadingEvent, Reminder
from hygie.awareness.reminders import programme_of, send_due_reminders
from hygie.awareness.tests.conftest import BROWSER, open_window, send_everything
from hygie.delivery.models import Delivery, MailingKind
from hygie.operations.schedule import DUE_WORK_SOURCES
from hygie.testing.forms import DEFAULT_WINDOW


def later(campaign, days: float):
    return campaign.mailing.launched_at + timedelta(days=days)


def test_a_reminder_goes_only_to_those_who_have_not_read(make_campaign, client, smtp_server):
    campaign = make_campaign(people=4, reminder_days=[7])
    deliveries = list(Delivery.objects.filter(mailing=campaign.mailing).order_by("pk"))
    reader, scanned, unsubscribed = deliveries[0], deliveries[1], deliveries[2]
    client.get(reverse("awareness:capsule", args=[reader.token]), HTTP_USER_AGENT=BROWSER)
    # A link scanner's visit is not a reading: that person is still reminded.
    client.get(reverse("awareness:capsule", args=[scanned.token]), HTTP_USER_AGENT="curl/8")
    unsubscribed.person.status = PersonStatus.UNSUBSCRIBED
    unsubscribed.person.save()

    assert send_due_reminders(now=later(campaign, 6)) == 0
    assert send_due_reminders(now=later(campaign, 7)) == 1
    reminder = Reminder.objects.get()
    assert reminder.mailing.kind == MailingKind.NOTICE
    targets = set(reminder.mailing.deliveries.values_list("person_id", flat=True))
    assert targets == {scanned.person_id, deliveries[3].person_id}

    before = len(smtp_server.messages)
    open_window(reminder.mailing)
    send_everything(reminder.mailing)
    sent = smtp_server.messages[before:]
    assert sorted(m.recipients[0] for m in sent) == sorted(
        [scanned.recipient, deliveries[3].recipient]
    )
    assert "Reminder" in str(sent[0].message["Subject"]) or "Rappel" in str(
        sent[0].message["Subject"]
    )
    assert sent[0].message["List-Unsubscribe"]


def test_the_reminders_link_records_the_reading_on_the_campaign(make_campaign, client, smtp_server):
    campaign = make_campaign(people=1, reminder_days=[3])
    original = Delivery.objects.get(mailing=campaign.mailing)
    send_due_reminders(now=later(campaign, 3))
    reminder = Reminder.objects.get().mailing
    open_window(reminder)
    send_everything(reminder)
    text = smtp_server.messages[-1].message.get_body(("plain",)).get_content()
    path = "/" + re.search(r"https?://\S+/c/[\w-]+/", text).group(0).split("/", 3)[3]
    assert client.get(path, HTTP_USER_AGENT=BROWSER).status_code == 200
    assert ReadingEvent.objects.get().delivery == original
    answers = {f"q{i}": "0" for i in range(len(campaign.capsule.quiz))}
    assert client.post(path, answers, HTTP_USER_AGENT=BROWSER).status_code == 200
    assert QuizAttempt.objects.get().delivery == original


def test_a_reminder_is_never_sent_twice(make_campaign, smtp_server):
    campaign = make_campaign(people=3, reminder_days=[7])
    now = later(campaign, 8)
    # Two schedulers (or one running twice) find the same due reminder.
    assert send_due_reminders(now=now) == 1
    assert send_due_reminders(now=now) == 0
    assert send_due_reminders(now=later(campaign, 30)) == 0
    assert Delivery.objects.filter(mailing__kind=MailingKind.NOTICE).count() == 3


def test_a_claimed_reminder_is_not_sent_by_a_second_process(make_campaign):
    from hygie.awareness.reminders import send_reminder

    campaign = make_campaign(people=2, reminder_days=[7])
    stale = Reminder.objects.get()  # read by both processes before either claims it
    assert send_reminder(stale, now=later(campaign, 8)) is True
    assert send_reminder(stale, now=later(campaign, 8)) is False
    assert Delivery.objects.filter(mailing__kind=MailingKind.NOTICE).count() == 2


def test_nothing_is_reminded_before_the_capsule_has_finished_sending(
    organisation, admin, make_campaign
):
    campaign = make_campaign(people=2, reminder_days=[1])
    campaign.mailing.status = "scheduled"
    campaign.mailing.save()
    assert send_due_reminders(now=later(campaign, 5)) == 0


def test_the_organisations_limit_is_enforced(make_campaign, organisation):
    with pytest.raises(ValidationError, match="at most 1 reminder"):
        make_campaign(people=1, reminder_days=[7, 14])
    programme = programme_of(organisation.pk)
    programme.max_reminders = 2
    programme.save()
    campaign = make_campaign(people=1, reminder_days=[14, 7])
    assert list(campaign.reminders.values_list("number", "after_days")) == [(1, 7), (2, 14)]


def test_everyone_read_so_nothing_is_sent(make_campaign, client):
    campaign = make_campaign(people=2, reminder_days=[7])
    for delivery in Delivery.objects.filter(mailing=campaign.mailing):
        client.get(reverse("awareness:capsule", args=[delivery.token]), HTTP_USER_AGENT=BROWSER)
    assert send_due_reminders(now=later(campaign, 7)) == 1
    reminder = Reminder.objects.get()
    assert reminder.sent_at is not None and reminder.mailing is None


def test_the_console_form_plans_reminders_and_names_bad_input(
    console, admin, organisation, make_campaign
):
    make_campaign(people=1)
    from hygie.audience.models import Segment
    from hygie.library.models import Capsule

    data = {
        "name": "Mises à jour",
        "capsule": Capsule.objects.get(slug="mises-a-jour", language="fr").pk,
        "segment": Segment.objects.get().pk,
        **DEFAULT_WINDOW,
    }
    client = console(admin)
    bad = client.post(reverse("awareness:campaign_new"), {**data, "reminder_days": "7, 14"})
    assert bad.status_code == 200
    assert "at most 1 reminder" in bad.content.decode()
    assert not Reminder.objects.exists()
    wrong = client.post(reverse("awareness:campaign_new"), {**data, "reminder_days": "soon"})
    assert "is not a number of days" in wrong.content.decode()
    client.post(reverse("awareness:campaign_new"), {**data, "reminder_days": "7"})
    assert list(Reminder.objects.values_list("after_days", flat=True)) == [7]


def test_the_scheduler_knows_the_reminders():
    assert send_due_reminders in DUE_WORK_SOURCES


def test_the_form_proposes_the_organisations_usual_reminder(console, admin, organisation):
    client = console(admin)
    form = client.get(reverse("awareness:campaign_new")).context["form"]
    assert form["reminder_days"].value() == "7"
    programme = programme_of(organisation.pk)
    programme.max_reminders = 0
    programme.save()
    form = client.get(reverse("awareness:campaign_new")).context["form"]
    assert not form["reminder_days"].value()
