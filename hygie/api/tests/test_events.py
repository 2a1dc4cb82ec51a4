"""Each event is published where it happens, and reaches a subscribed receiver signed,
with identifiers and counts only."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from hygie.accounts.actors import Actor
from hygie.api import webhooks
from hygie.api.tests.test_webhooks import endpoint_for
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, MailingStatus
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people
from hygie.incidents.tests.helpers import make_report, make_slot
from hygie.lib import events
from hygie.reporting import services as reporting
from hygie.reporting.intake import ingest_text
from hygie.reporting.models import LureGroup, Mailbox
from hygie.reporting.tests.test_alerts import member, report_from

pytestmark = pytest.mark.django_db(transaction=True)


def received(receiver, endpoint) -> list[dict]:  # type: ignore[no-untyped-def]
    """What the worker delivered, each checked against the endpoint's secret."""
    while webhooks.worker_step("test"):
        pass
    return [
        Webhook(endpoint.secret).verify(call["body"], call["headers"]) for call in receiver.received
    ]


def test_a_received_report_is_announced(receiver, admin, organisation, other_organisation):
    endpoint = endpoint_for(receiver, admin, organisation, events.REPORT_RECEIVED)
    ingest_text(organisation=other_organisation, text="Votre colis est bloqué")
    report = ingest_text(
        organisation=organisation, text="Votre colis est bloqué", reporter="a@example.org"
    )
    [payload] = received(receiver, endpoint)
    assert payload["type"] == events.REPORT_RECEIVED
    assert payload["data"]["report_id"] == report.pk
    assert payload["data"]["channel"] == "sms"
    assert "a@example.org" not in json.dumps(payload) and "colis" not in json.dumps(payload)


def test_an_alerted_group_is_announced(receiver, admin, organisation):
    from hygie.audience.models import Segment
    from hygie.delivery.models import SendingProfile

    endpoint = endpoint_for(receiver, admin, organisation, events.REPORT_GROUP_ALERTED)
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=600)
    mailbox = Mailbox.objects.create(organisation=organisation, host="imap.example", username="s")
    gironde = Segment.objects.create(
        organisation=organisation, name="Gironde", filters={"departements": ["33"]}
    )
    reporters = [member(organisation, n, "33") for n in range(3)]
    reports = [report_from(mailbox, p) for p in reporters]
    group = LureGroup.objects.get(pk=reports[0].group_id)
    alert = reporting.group_alert_send(group=group, actor=Actor.staff(admin), segments=[gironde])
    [payload] = received(receiver, endpoint)
    assert payload["data"] == {
        "group_id": group.pk,
        "mailing_id": alert.email.pk,
        "sms_mailing_id": None,
        "recipients": 3,
    }


def test_a_submitted_incident_and_its_callback_are_announced(receiver, admin, organisation):
    endpoint = endpoint_for(
        receiver, admin, organisation, events.INCIDENT_SUBMITTED, events.CALLBACK_REQUESTED
    )
    without = make_report(organisation, email="x@example.org")
    slot = make_slot(organisation)
    booked = make_report(organisation, slot=slot, email="y@example.org")
    payloads = sorted(
        received(receiver, endpoint), key=lambda p: (p["type"], p["data"]["incident_id"])
    )
    assert [(p["type"], p["data"]["incident_id"]) for p in payloads] == [
        (events.CALLBACK_REQUESTED, booked.pk),
        (events.INCIDENT_SUBMITTED, without.pk),
        (events.INCIDENT_SUBMITTED, booked.pk),
    ]
    assert payloads[0]["data"]["slot_id"] == slot.pk
    assert payloads[1]["data"]["severity"] == without.severity
    assert payloads[1]["data"]["wants_callback"] is False
    assert "example.org" not in json.dumps(payloads)


def test_a_campaign_gives_one_launched_and_one_finished_event(receiver, admin, organisation):
    endpoint = endpoint_for(
        receiver, admin, organisation, events.CAMPAIGN_LAUNCHED, events.CAMPAIGN_FINISHED
    )
    people(organisation, 2)
    letter = mailing(organisation)
    mailing_launch(mailing=letter, actor=Actor.staff(admin))
    sending.complete_finished_mailings()  # still to send: not finished
    Delivery.objects.update(status=DeliveryStatus.SENT)
    assert sending.complete_finished_mailings() == 1
    assert sending.complete_finished_mailings() == 0
    assert Mailing.objects.get().status == MailingStatus.COMPLETED
    payloads = sorted(received(receiver, endpoint), key=lambda p: p["type"], reverse=True)
    assert [p["type"] for p in payloads] == [events.CAMPAIGN_LAUNCHED, events.CAMPAIGN_FINISHED]
    assert payloads[0]["data"] == {"mailing_id": letter.pk, "kind": "notice", "deliveries": 2}
    assert payloads[1]["data"] == {"mailing_id": letter.pk, "kind": "notice"}
    assert "example.org" not in json.dumps(payloads)


def test_an_incident_status_change_is_announced_from_the_desk_and_the_api(
    receiver, admin, organisation, console, api
):
    from django.urls import reverse

    from hygie.api.scopes import Scope

    endpoint = endpoint_for(receiver, admin, organisation, events.INCIDENT_STATUS_CHANGED)
    incident = make_report(organisation, email="z@example.org")
    console(admin).post(reverse("desk:report_status", args=[incident.pk]), {"status": "closed"})
    client = api(Scope.WRITE_INCIDENTS)
    client.send("post", f"/incidents/{incident.pk}/status", {"status": "in_progress"})
    client.send("post", f"/incidents/{incident.pk}/status", {"status": "in_progress"})  # no change
    payloads = received(receiver, endpoint)
    assert sorted((p["data"]["previous_status"], p["data"]["status"]) for p in payloads) == [
        ("closed", "in_progress"),
        ("new", "closed"),
    ]
    assert {p["type"] for p in payloads} == {events.INCIDENT_STATUS_CHANGED}
    assert payloads[0]["data"]["incident_id"] == incident.pk
    assert "example.org" not in json.dumps(payloads) and "Dr Test" not in json.dumps(payloads)


def test_a_verdict_mailing_gives_one_launched_and_one_finished_event(receiver, admin, organisation):
    endpoint = endpoint_for(
        receiver, admin, organisation, events.CAMPAIGN_LAUNCHED, events.CAMPAIGN_FINISHED
    )
    mailbox = Mailbox.objects.create(organisation=organisation, host="imap.example", username="s")
    reports = [report_from(mailbox, member(organisation, n, "33")) for n in range(2)]
    group = LureGroup.objects.get(pk=reports[0].group_id)
    reporting.group_classify(group=group, actor=Actor.staff(admin), status="legitimate")
    verdicts = Mailing.objects.get(deliveries__recipient=reports[0].reporter_email)
    Delivery.objects.filter(mailing=verdicts).update(status=DeliveryStatus.SENT)
    assert sending.complete_finished_mailings() == 1
    payloads = sorted(received(receiver, endpoint), key=lambda p: p["type"], reverse=True)
    # Like every other mailing: launched when its messages are queued, then finished.
    assert [p["type"] for p in payloads] == [events.CAMPAIGN_LAUNCHED, events.CAMPAIGN_FINISHED]
    assert payloads[0]["data"] == {"mailing_id": verdicts.pk, "kind": "notice", "deliveries": 2}
    assert payloads[1]["data"] == {"mailing_id": verdicts.pk, "kind": "notice"}


def test_every_mailing_queued_outside_its_launch_is_announced():
    """Apps that queue a mailing's deliveries themselves (verdicts to reporters,
    explanations after an exercise, reminders) announce it as `mailing_launch` does: a
    receiver never sees a campaign finish that it did not see launched."""
    import re
    from pathlib import Path

    hygie = Path(events.__file__).parents[1]
    queues = re.compile(r"\bDelivery\.objects\.bulk_create\(")
    queuing = [
        path
        for path in hygie.rglob("*.py")
        if "tests" not in path.parts and queues.search(path.read_text(encoding="utf-8"))
    ]
    assert len(queuing) >= 3
    for path in queuing:
        assert "mailing_announce(" in path.read_text(encoding="utf-8"), path.relative_to(hygie)
