"""Launching, claiming, rendering and sending against a real SMTP server."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dkim
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.audience.models import PersonStatus
from hygie.audience.suppression_list import is_suppressed
from hygie.delivery import sending
from hygie.delivery.bounces import process_dsn
from hygie.delivery.models import (
    Delivery,
    DeliveryStatus,
    MailingStatus,
    SendingProfile,
    SendQuota,
    Variant,
)
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import dkim_signing, mailing, people
from hygie.delivery.unsubscribe_tokens import unsubscribe_token
from hygie.delivery.windows import Window, spread

PARIS = ZoneInfo("Europe/Paris")


def launch(m, **kwargs) -> int:
    count = mailing_launch(mailing=m, actor=Actor.system(), **kwargs)
    # Make everything due now, whatever the spread chose.
    Delivery.objects.filter(mailing=m).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return count


def drain(worker="w1", rounds=20) -> None:
    for _ in range(rounds):
        if not sending.send_due(worker):
            return


def test_launch_creates_one_delivery_per_reachable_person(organisation):
    crowd = people(organisation, 12)
    crowd[0].status = PersonStatus.UNSUBSCRIBED
    crowd[0].save()
    crowd[1].email = None
    crowd[1].save()
    m = mailing(organisation)
    Variant.objects.create(mailing=m, key="B", subject="Variante {{ prenom }}", text_body="B")
    count = mailing_launch(mailing=m, actor=Actor.system(), seed=1)
    assert count == 10
    deliveries = list(Delivery.objects.filter(mailing=m))
    assert len({d.token for d in deliveries}) == 10
    assert all(len(d.token) >= 27 for d in deliveries)  # 160 random bits in base64url
    assert {d.variant.key for d in deliveries} == {"A", "B"}
    m.refresh_from_db()
    assert m.status == MailingStatus.SCHEDULED
    with pytest.raises(ValidationError):
        mailing_launch(mailing=m, actor=Actor.system())


def test_launch_to_chosen_people_keeps_to_the_organisation_and_the_reachable(
    organisation, other_organisation
):
    from hygie.audience.models import Person
    from hygie.delivery.services import NO_RECIPIENTS

    crowd = people(organisation, 6)
    crowd[0].status = PersonStatus.UNSUBSCRIBED
    crowd[0].save()
    stranger = people(other_organisation, 1)[0]
    m = mailing(organisation)
    chosen = [crowd[0].pk, crowd[1].pk, crowd[2].pk, stranger.pk]
    # Given as a query of ids, as a simulation's follow-up does.
    query = Person.objects.filter(pk__in=chosen).values_list("pk", flat=True)
    assert mailing_launch(mailing=m, actor=Actor.system(), people=query) == 2
    assert {d.person_id for d in Delivery.objects.filter(mailing=m)} == {crowd[1].pk, crowd[2].pk}
    nobody = mailing(organisation)
    with pytest.raises(ValidationError) as refused:
        mailing_launch(mailing=nobody, actor=Actor.system(), people=[crowd[0].pk, stranger.pk])
    assert refused.value.code == NO_RECIPIENTS
    assert not Delivery.objects.filter(mailing=nobody).exists()


def test_a_balanced_launch_deals_the_variants_in_equal_shares(organisation):
    people(organisation, 42)
    m = mailing(organisation)
    for key in "BCD":
        Variant.objects.create(
            mailing=m, key=key, subject=key, text_body=key, weight=1 + 5 * (key == "D")
        )
    mailing_launch(mailing=m, actor=Actor.system(), balanced=True, seed=3)
    shares = {key: Delivery.objects.filter(mailing=m, variant__key=key).count() for key in "ABCD"}
    # Weights are ignored: D would otherwise get about 6 shares in 9.
    assert sorted(shares.values()) == [10, 10, 11, 11]


def test_send_times_fall_in_the_window_with_irregular_gaps():
    window = Window(days=frozenset({0, 1, 2, 3, 4}), start=time(8), end=time(19), zone=PARIS)
    friday_evening = datetime(2026, 3, 27, 17, 0, tzinfo=PARIS)  # DST starts that Sunday
    times = spread(
        window,
        500,
        start=friday_evening,
        end=friday_evening + timedelta(days=4),
        rate_per_minute=600,
        rng=random.Random(3),
    )
    assert len(times) == 500
    for moment in times:
        local = moment.astimezone(PARIS)
        assert local.weekday() < 5 and time(8) <= local.time() < time(19), local
    gaps = {round((b - a).total_seconds()) for a, b in itertools.pairwise(times)}
    assert len(gaps) > 50  # jittered, not a metronome


def test_without_an_end_the_sends_are_spread_over_the_open_window():
    """Launched at 02:24 (Paris), the messages wait for 08:00 and are spread until 19:00,
    not sent in one burst."""
    window = Window(days=frozenset(range(5)), start=time(8), end=time(19), zone=PARIS)
    start = datetime(2026, 6, 1, 2, 24, tzinfo=PARIS)  # a Monday
    times = spread(window, 200, start=start, end=None, rate_per_minute=60, rng=random.Random(1))
    local = [t.astimezone(PARIS) for t in times]
    assert local[0].date() == local[-1].date() == start.date()
    assert time(8) <= local[0].time() < time(8, 30)
    assert time(18, 30) < local[-1].time() <= time(19)
    assert len({t.replace(second=0, microsecond=0) for t in times}) > 150  # not one minute


def test_an_urgent_mailing_takes_only_the_time_its_rate_needs():
    """An alert about a lure in circulation must not be spread until midnight."""
    window = Window(days=frozenset(range(7)), start=time(0), end=time(23, 59), zone=PARIS)
    start = datetime(2026, 6, 1, 10, 0, tzinfo=PARIS)
    times = spread(
        window, 100, start=start, end=None, rate_per_minute=600, rng=random.Random(1), urgent=True
    )
    assert max(times) - start <= timedelta(minutes=1)  # 100 at 600 a minute, with margin
    calm = spread(window, 100, start=start, end=None, rate_per_minute=600, rng=random.Random(1))
    assert max(calm) - start > timedelta(hours=6)


def test_without_an_end_the_rate_can_lengthen_the_spread():
    window = Window(days=frozenset(range(7)), start=time(8), end=time(9), zone=PARIS)
    start = datetime(2026, 6, 1, 8, 0, tzinfo=PARIS)
    times = spread(window, 600, start=start, end=None, rate_per_minute=1, rng=random.Random(1))
    days = {t.astimezone(PARIS).date() for t in times}
    assert len(days) >= 10  # 600 messages at 1 a minute need ten one-hour windows
    assert all(time(8) <= t.astimezone(PARIS).time() <= time(9) for t in times)


def test_messages_are_personalised_and_correctly_encoded(organisation, smtp_server):
    people(organisation, 2)
    m = mailing(organisation)
    launch(m)
    drain()
    assert len(smtp_server.messages) == 2
    received = sorted(smtp_server.messages, key=lambda r: r.recipients[0])[0]
    message = received.message
    assert received.recipients == ["dr0@example.org"]
    assert str(message["Subject"]) == "Bonjour Élise — sécurité"
    assert "Élise Durand0" in str(message["To"])
    assert str(message["From"]) == "URPS Sécurité <securite@urps.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    delivery = Delivery.objects.get(recipient="dr0@example.org")
    assert "Bonjour Docteur Durand0," in text
    assert f"https://hygie.example/c/{delivery.token}/" in text
    assert "<script" not in html and "alert(1)" not in html
    assert "color:#123456" in html.replace(" ", "")  # CSS inlined
    assert f'href="https://hygie.example/c/{delivery.token}/"' in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/u/{unsubscribe_token(delivery)}/" in message["List-Unsubscribe"]
    assert delivery.token not in message["List-Unsubscribe"]
    assert message["Message-ID"] == f"<{delivery.message_id}>"
    assert (
        "hygie"
        not in "".join(f"{k}{v}" for k, v in message.items() if k.lower().startswith("x-")).lower()
    )
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None


def test_values_cannot_inject_headers_or_html(organisation, smtp_server):
    (person,) = people(organisation, 1)
    person.first_name = 'Zoé\r\nBcc: victim@example.org <b onmouseover="x">'
    person.save()
    launch(mailing(organisation, subject="Pour {{ prenom }}"))
    drain()
    message = smtp_server.messages[0].message
    assert message["Bcc"] is None
    assert smtp_server.messages[0].recipients == ["dr0@example.org"]
    html = message.get_body(("html",)).get_content()
    assert "<b onmouseover" not in html and "&lt;b onmouseover" in html


def test_temporary_failures_are_retried_with_backoff(organisation, smtp_server):
    people(organisation, 1)
    m = mailing(organisation)
    launch(m)
    smtp_server.handler.scripted = ["451 4.3.0 try again later", "452 4.2.2 mailbox full"]
    sending.send_due("w1")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SCHEDULED
    assert delivery.attempts == 1 and "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=40)
    assert sending.send_due("w1") == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now())
    sending.send_due("w1")
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "452" in delivery.last_error
    Delivery.objects.update(next_attempt_at=timezone.now())
    sending.send_due("w1")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(smtp_server.messages) == 1


def test_a_refused_connection_is_temporary(organisation, smtp_server):
    people(organisation, 1)
    launch(mailing(organisation))
    smtp_server.stop()
    sending.send_due("w1")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SCHEDULED and "onnect" in delivery.last_error


def test_permanent_refusals_fail_with_their_reason(organisation, smtp_server):
    people(organisation, 2)
    smtp_server.handler.refuse["dr1@example.org"] = "550 5.1.1 no such user"
    m = mailing(organisation)
    launch(m)
    drain()
    failed = Delivery.objects.get(recipient="dr1@example.org")
    assert failed.status == DeliveryStatus.FAILED
    assert failed.last_error.startswith("550 5.1.1")
    assert Delivery.objects.get(recipient="dr0@example.org").status == DeliveryStatus.SENT
    sending.complete_finished_mailings()
    m.refresh_from_db()
    assert m.status == MailingStatus.COMPLETED


def test_the_rate_limit_holds_across_claims(organisation):
    people(organisation, 12)
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=5)
    launch(mailing(organisation))
    minute = (timezone.now() + timedelta(minutes=1)).replace(second=10, microsecond=0)
    assert len(sending.claim("w1", now=minute)) == 5
    assert sending.claim("w2", now=minute + timedelta(seconds=20)) == []
    assert len(sending.claim("w2", now=minute + timedelta(seconds=60))) == 5
    assert SendQuota.objects.get().used == 5


def test_an_expired_lease_is_claimable_again(organisation):
    people(organisation, 3)
    launch(mailing(organisation))
    now = timezone.now()
    first = sending.claim("dead-worker", now=now)
    assert len(first) == 3
    assert sending.claim("w2", now=now + timedelta(seconds=10)) == []
    later = now + sending.lease_duration() + timedelta(seconds=1)
    assert sorted(sending.claim("w2", now=later)) == sorted(first)


def test_closed_window_sends_nothing_and_reschedules(organisation, smtp_server):
    people(organisation, 1)
    now_paris = timezone.now().astimezone(PARIS)
    closed_day = (now_paris.weekday() + 3) % 7
    m = mailing(organisation, window_days=[closed_day])
    Delivery.objects.all().delete()
    mailing_launch(mailing=m, actor=Actor.system())
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at.astimezone(PARIS).weekday() == closed_day
    Delivery.objects.update(next_attempt_at=timezone.now())  # due, but the window is shut
    sending.send_due("w1")
    delivery.refresh_from_db()
    assert smtp_server.messages == []
    assert delivery.status == DeliveryStatus.SCHEDULED and delivery.attempts == 0
    assert delivery.next_attempt_at.astimezone(PARIS).weekday() == closed_day


def test_paused_mailings_do_not_send(organisation, smtp_server):
    people(organisation, 2)
    m = mailing(organisation)
    launch(m)
    m.status = MailingStatus.PAUSED
    m.save()
    assert sending.send_due("w1") == 0
    assert smtp_server.messages == []


def test_dkim_signature_verifies(organisation, smtp_server):
    record = dkim_signing(organisation)
    people(organisation, 1)
    launch(mailing(organisation))
    drain()
    data = smtp_server.messages[0].data
    assert data.startswith(b"DKIM-Signature:")
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)


def test_verp_bounce_marks_the_delivery_and_suppresses_the_address(organisation, smtp_server):
    (person,) = people(organisation, 1)
    SendingProfile.objects.create(organisation=organisation, return_path="bounces+@urps.example")
    launch(mailing(organisation))
    drain()
    delivery = Delivery.objects.get()
    assert smtp_server.messages[0].envelope_from == f"bounces+{delivery.token}@urps.example"
    dsn = (
        f"From: MAILER-DAEMON@mx.example\r\nTo: bounces+{delivery.token}@urps.example\r\n"
        "Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; dr0@example.org\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n--B--\r\n"
    ).encode()
    assert process_dsn(dsn) == delivery
    delivery.refresh_from_db()
    person.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED and "5.1.1" in delivery.last_error
    assert person.status == PersonStatus.BOUNCED
    assert is_suppressed(organisation, "dr0@example.org")


def test_a_delay_notice_is_not_a_bounce(organisation, smtp_server):
    people(organisation, 1)
    launch(mailing(organisation))
    drain()
    delivery = Delivery.objects.get()
    dsn = (
        "From: MAILER-DAEMON@mx.example\r\nTo: securite@urps.example\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Final-Recipient: rfc822; dr0@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{delivery.message_id}>\r\n\r\n--B--\r\n"
    ).encode()
    assert process_dsn(dsn) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_placeholders_are_a_closed_list(organisation):
    from hygie.delivery.selectors import check_content

    variant = Variant(subject="{{ prenom.__class__ }}", text_body="{% load static %}")
    with pytest.raises(ValidationError) as error:
        check_content(variant, "email")
    assert set(error.value.message_dict) >= {"subject", "text_body"}


def test_a_provider_api_can_replace_smtp(organisation, settings):
    from django.core import mail

    settings.MAIL_PROVIDER_BACKEND = "anymail.backends.test.EmailBackend"
    people(organisation, 2)
    launch(mailing(organisation))
    drain()
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    sent = sorted(mail.outbox, key=lambda m: m.to[0])
    assert sent[0].to == ["dr0@example.org"]
    assert sent[0].subject == "Bonjour Élise — sécurité"
    assert "List-Unsubscribe" in sent[0].extra_headers
    assert sent[0].alternatives[0].mimetype == "text/html"


def test_the_http_sms_backend_classifies_answers(monkeypatch):
    import requests

    from hygie.delivery.sms import HttpSmsBackend
    from hygie.delivery.transport import Outcome

    calls = []

    class Answer:
        def __init__(self, status):
            self.status_code, self.text, self.ok = status, "{}", 200 <= status < 300

    answers = iter([Answer(200), Answer(503), Answer(400)])

    def post(self, url, json, headers, timeout):
        calls.append((url, json, headers))
        return next(answers)

    monkeypatch.setattr(requests.Session, "post", post)
    backend = HttpSmsBackend("https://sms.example/send", "secret", "URPS")
    outcomes = [
        backend.send(to="+33612345678", text="Bonjour", reference="t").outcome for _ in range(3)
    ]
    assert outcomes == [Outcome.SENT, Outcome.TEMPORARY, Outcome.PERMANENT]
    assert calls[0][1] == {
        "to": "+33612345678",
        "text": "Bonjour",
        "sender": "URPS",
        "reference": "t",
    }
    assert calls[0][2]["Authorization"] == "Bearer secret"
