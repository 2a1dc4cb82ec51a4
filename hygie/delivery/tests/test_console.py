"""Mailing pages, test sends, one-click unsubscribe, and tenant isolation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.audience.models import PersonStatus, Segment
from hygie.audience.suppression_list import is_suppressed
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, MailingStatus
from hygie.delivery.tests.factories import mailing, people
from hygie.delivery.unsubscribe_tokens import unsubscribe_token


def test_compose_launch_and_follow_a_mailing(console, admin, organisation, smtp_server):
    people(organisation, 3)
    segment = Segment.objects.create(
        organisation=organisation,
        name="Gironde",
        filters={"departements": ["33"], "statuses": ["active"]},
    )
    client = console(admin)
    response = client.post(
        reverse("delivery:mailing_new"),
        {
            "name": "Rappel",
            "segment": segment.pk,
            "channel": "email",
            "from_name": "URPS",
            "from_email": "securite@urps.example",
            "reply_to": "",
            "window_days": ["0", "1", "2", "3", "4", "5", "6"],
            "window_start": "00:00",
            "window_end": "23:59",
            "subject": "Bonjour {{ prenom }}",
            "text_body": "Texte {{ lien }}",
            "html_body": "",
            "sms_body": "",
        },
    )
    m = Mailing.objects.get()
    assert response["Location"] == reverse("delivery:mailing", args=[m.pk])

    client.post(reverse("delivery:mailing_action", args=[m.pk, "test"]))
    assert len(smtp_server.messages) == 1
    test_message = smtp_server.messages[0].message
    assert smtp_server.messages[0].recipients == [admin.email]
    assert str(test_message["Subject"]).startswith("Bonjour ")

    client.post(reverse("delivery:mailing_action", args=[m.pk, "launch"]), {"confirmed": "yes"})
    m.refresh_from_db()
    assert m.status == MailingStatus.SCHEDULED
    assert Delivery.objects.filter(mailing=m, is_test=False).count() == 3
    Delivery.objects.filter(mailing=m).update(next_attempt_at=m.launched_at)
    sending.send_due("w1")
    page = client.get(reverse("delivery:mailing", args=[m.pk]))
    assert page.context["progress"]["sent"] == 3
    assert page.context["progress"]["total"] == 3  # the test send is not counted
    assert AuditEntry.objects.filter(action="mailing.launched").exists()


def test_bad_placeholders_are_refused_at_authoring(console, admin, organisation):
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    response = console(admin).post(
        reverse("delivery:mailing_new"),
        {
            "name": "X",
            "segment": segment.pk,
            "channel": "email",
            "window_days": ["0"],
            "window_start": "08:00",
            "window_end": "19:00",
            "subject": "{{ request.user.password }}",
            "text_body": "ok",
        },
    )
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert not Mailing.objects.exists()


def test_failed_messages_can_be_retried(console, admin, organisation, smtp_server):
    people(organisation, 1)
    smtp_server.handler.refuse["dr0@example.org"] = "550 5.7.1 blocked"
    m = mailing(organisation)
    from hygie.delivery.services import mailing_launch

    mailing_launch(mailing=m, actor=Actor.system())
    Delivery.objects.update(next_attempt_at=m.created_at)
    sending.send_due("w1")
    page = console(admin).get(reverse("delivery:mailing", args=[m.pk]))
    assert "550 5.7.1 blocked" in page.content.decode()
    smtp_server.handler.refuse.clear()
    console(admin).post(reverse("delivery:mailing_action", args=[m.pk, "retry"]))
    assert Delivery.objects.get().status == DeliveryStatus.SCHEDULED
    sending.send_due("w1")
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_one_click_unsubscribe(client, organisation):
    (person,) = people(organisation, 1)
    m = mailing(organisation)
    from hygie.delivery.services import mailing_launch

    mailing_launch(mailing=m, actor=Actor.system())
    token = unsubscribe_token(Delivery.objects.get())
    page = client.get(reverse("unsubscribe", args=[token]))
    assert page.status_code == 200
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE  # a GET (link scanner) changes nothing
    response = client.post(reverse("unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == PersonStatus.UNSUBSCRIBED
    assert is_suppressed(organisation, "dr0@example.org")
    assert client.post(reverse("unsubscribe", args=["x" * 27])).status_code == 404


@pytest.mark.parametrize("action", ["launch", "test", "retry", "cancel"])
def test_foreign_mailings_are_not_found(console, admin, other_organisation, action):
    foreign = mailing(other_organisation)
    client = console(admin)
    assert client.get(reverse("delivery:mailing", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("delivery:mailing_action", args=[foreign.pk, action]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == MailingStatus.DRAFT


def test_analysts_cannot_manage_mailings(console, staff_of):
    assert console(staff_of(Role.ANALYST)).get(reverse("delivery:mailings")).status_code == 403


def test_sms_mailing_goes_through_the_sms_backend(organisation, settings):
    from hygie.delivery.models import Variant
    from hygie.delivery.services import mailing_launch

    crowd = people(organisation, 2)
    crowd[0].mobile_phone = "+33612345678"
    crowd[0].save()
    m = mailing(organisation, channel="sms")
    Variant.objects.filter(mailing=m).update(sms_body="{{ prenom }}, lisez {{ lien }}")
    assert mailing_launch(mailing=m, actor=Actor.system()) == 1
    Delivery.objects.update(next_attempt_at=m.created_at)
    sending.send_due("w1")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    files = list((settings.VAR_DIR / "sms").glob("*.json"))
    assert len(files) == 1
    import json

    sms = json.loads(files[0].read_text())
    assert sms["to"] == "+33612345678"
    assert sms["text"] == f"Élise, lisez https://hygie.example/c/{delivery.token}/"


def test_an_sms_mailing_is_tested_on_the_number_given(console, admin, organisation, settings):
    import json

    from hygie.delivery.models import Variant

    m = mailing(organisation, channel="sms")
    Variant.objects.filter(mailing=m).update(sms_body="{{ prenom }}, lisez {{ lien }}")
    staff = console(admin)
    assert 'name="phone"' in staff.get(reverse("delivery:mailing", args=[m.pk])).content.decode()
    url = reverse("delivery:mailing_action", args=[m.pk, "test"])
    staff.post(url, {"phone": ""})
    assert not Delivery.objects.exists()
    staff.post(url, {"phone": "+33 6 12 34 56 78"})
    (file,) = (settings.VAR_DIR / "sms").glob("*.json")
    sms = json.loads(file.read_text())
    assert sms["to"] == "+33612345678" and sms["text"].startswith(admin.first_name or "Camille")
    assert Delivery.objects.get().is_test
