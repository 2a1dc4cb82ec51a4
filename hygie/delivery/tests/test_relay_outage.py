"""A relay that is down costs time, not attempts: the whole batch waits, once."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people
from hygie.delivery.transport import Outcome, SmtpTransport


@pytest.fixture
def due(organisation):
    def make(count: int) -> None:
        people(organisation, count)
        mailing_launch(mailing=mailing(organisation), actor=Actor.system())
        make_due()

    return make


def make_due() -> None:
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_refused_connection_puts_the_batch_back_without_spending_attempts(due, smtp_server):
    due(5)
    smtp_server.stop()
    before = timezone.now()
    assert sending.send_due("w1") == 5
    rows = list(Delivery.objects.all())
    assert {d.status for d in rows} == {DeliveryStatus.SCHEDULED}
    assert {d.attempts for d in rows} == {0}
    assert all("onnect" in d.last_error for d in rows)
    assert all(d.next_attempt_at >= before + timedelta(seconds=2) for d in rows)
    assert sending.RELAY.active
    make_due()
    assert sending.send_due("w1") == 0  # paused: the queue is left alone
    assert Delivery.objects.filter(attempts=0, status=DeliveryStatus.SCHEDULED).count() == 5


def test_a_421_mid_batch_backs_off_the_rest_and_everything_goes_once_it_is_back(due, smtp_server):
    due(4)
    # The first message is accepted (though not kept by the sink), then the relay goes.
    smtp_server.handler.scripted = ["250 OK", "421 4.3.2 Service shutting down"]
    sending.send_due("w1")
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 1
    waiting = Delivery.objects.filter(status=DeliveryStatus.SCHEDULED)
    assert waiting.count() == 3
    assert {d.attempts for d in waiting} == {0}
    assert all(d.last_error.startswith("421") for d in waiting)
    sending.RELAY.clear()  # the pause is over
    make_due()
    sending.send_due("w1")
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
    assert Delivery.objects.filter(attempts=1).count() == 4
    assert len(smtp_server.messages) == 3  # the three put back, each once


def test_per_message_refusals_still_spend_attempts(due, smtp_server):
    due(2)
    smtp_server.handler.scripted = ["451 4.7.1 greylisted, try again later"]
    sending.send_due("w1")
    greylisted = Delivery.objects.get(status=DeliveryStatus.SCHEDULED)
    assert greylisted.attempts == 1 and greylisted.last_error.startswith("451")
    assert not sending.RELAY.active


def test_a_relay_refusing_at_greeting_is_unavailable():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def busy() -> None:
        connection, _ = listener.accept()
        connection.sendall(b"421 4.3.2 Too many connections, try later\r\n")
        connection.close()

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    try:
        transport = SmtpTransport({"host": "127.0.0.1", "port": port, "timeout": 5})
        result = transport.send(envelope_from="a@example.org", to="b@example.org", data=b"x")
    finally:
        listener.close()
        thread.join(5)
    assert result.outcome == Outcome.UNAVAILABLE
    assert result.detail.startswith("421")


def test_a_relay_that_closed_an_idle_connection_is_reconnected_at_once(smtp_server):
    transport = SmtpTransport(smtp_server.options())
    message = b"Subject: hello\r\n\r\nbody\r\n"
    assert transport.send(envelope_from="a@example.org", to="b@example.org", data=message).outcome
    assert transport.connection is not None
    transport.connection.sock.close()  # the relay's idle timeout
    result = transport.send(envelope_from="a@example.org", to="c@example.org", data=message)
    transport.close()
    assert result.outcome == Outcome.SENT
    assert [m.recipients for m in smtp_server.messages] == [["b@example.org"], ["c@example.org"]]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (None, Outcome.UNAVAILABLE),
        (503, Outcome.UNAVAILABLE),
        (429, Outcome.UNAVAILABLE),
        (400, Outcome.PERMANENT),
    ],
)
def test_a_provider_that_is_down_or_throttling_is_unavailable(status, outcome, monkeypatch):
    from anymail.exceptions import AnymailAPIError
    from django.core.mail import EmailMultiAlternatives

    from hygie.delivery.providers import ProviderTransport

    class Answer(AnymailAPIError):
        def __str__(self) -> str:
            return f"provider answered {status}"

    def fail(self, *args, **kwargs):
        raise Answer(status_code=status)

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)
    transport = ProviderTransport("anymail.backends.test.EmailBackend")
    data = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n\r\nbody\r\n"
    assert transport.send(envelope_from="a@example.org", to="b@example.org", data=data).outcome == (
        outcome
    )
