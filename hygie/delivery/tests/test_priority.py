"""Alerts overtake bulk sends: workers claim higher-priority mailings first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Mailing, Priority, SendingProfile
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people


def test_an_alert_is_claimed_before_bulk_sends_queued_earlier(organisation):
    people(organisation, 8)
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=100)
    bulk = mailing(organisation)
    mailing_launch(mailing=bulk, actor=Actor.system())
    alert = mailing(organisation)
    Mailing.objects.filter(pk=alert.pk).update(priority=Priority.ALERT)
    mailing_launch(mailing=alert, actor=Actor.system())
    now = timezone.now()
    # The bulk messages have waited longer; the alert's are due only now.
    Delivery.objects.filter(mailing=bulk).update(next_attempt_at=now - timedelta(hours=1))
    Delivery.objects.filter(mailing=alert).update(next_attempt_at=now - timedelta(seconds=1))
    first = sending.claim("w1", now=now, limit=8)
    assert set(Delivery.objects.filter(pk__in=first).values_list("mailing_id", flat=True)) == {
        alert.pk
    }
    rest = sending.claim("w1", now=now, limit=8)
    assert set(Delivery.objects.filter(pk__in=rest).values_list("mailing_id", flat=True)) == {
        bulk.pk
    }
