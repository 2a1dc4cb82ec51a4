"""Leases while a batch is sent: renewed as it goes, and a lost row is never sent."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people
from hygie.delivery.transport import SmtpTransport


@pytest.fixture
def due(organisation):
    def make(count: int) -> None:
        people(organisation, count)
        mailing_launch(mailing=mailing(organisation), actor=Actor.system())
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    return make


def received(smtp_server) -> Counter[str]:
    return Counter(r for message in smtp_server.messages for r in message.recipients)


def test_a_slow_batch_keeps_its_lease_so_no_other_worker_takes_it(
    due, smtp_server, settings, monkeypatch
):
    settings.DELIVERY_LEASE_SECONDS = 5
    due(4)
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    stolen: list[int] = []
    send = SmtpTransport.send

    def slow_send(self, **kwargs):
        clock[0] += timedelta(seconds=3)  # each message takes 3 s of a 5 s lease
        result = send(self, **kwargs)
        stolen.extend(sending.claim("w2", now=clock[0]))
        return result

    monkeypatch.setattr(SmtpTransport, "send", slow_send)
    ids = sending.claim("w1", now=clock[0])
    assert sending.send_claimed(ids, "w1") == 4
    assert stolen == []  # every row stayed leased until its own send
    assert set(received(smtp_server).values()) == {1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_worker_never_sends_a_row_another_worker_took(due, smtp_server, monkeypatch):
    due(3)
    send = SmtpTransport.send

    def send_then_lose_the_rest(self, **kwargs):
        result = send(self, **kwargs)
        # Meanwhile the lease ran out and another worker claimed what was left.
        others = Delivery.objects.filter(status=DeliveryStatus.SENDING).exclude(
            recipient=kwargs["to"]
        )
        others.update(lease_owner="w2")
        return result

    monkeypatch.setattr(SmtpTransport, "send", send_then_lose_the_rest)
    ids = sending.claim("w1")
    assert sending.send_claimed(ids, "w1") == 1
    assert len(smtp_server.messages) == 1
    assert Delivery.objects.filter(lease_owner="w2", status=DeliveryStatus.SENDING).count() == 2


def test_marking_sent_a_row_that_is_no_longer_ours_is_logged(due, smtp_server, monkeypatch, caplog):
    due(1)
    send = SmtpTransport.send

    def send_while_taken_away(self, **kwargs):
        Delivery.objects.update(lease_owner="w2")  # a send longer than the whole lease
        return send(self, **kwargs)

    monkeypatch.setattr(SmtpTransport, "send", send_while_taken_away)
    with caplog.at_level(logging.WARNING, logger="hygie.delivery.sending"):
        sending.send_claimed(sending.claim("w1"), "w1")
    assert [r.getMessage() for r in caplog.records] == ["delivery sent after its lease was lost"]
    assert Delivery.objects.get().status == DeliveryStatus.SENDING  # w2's to settle
