"""From a group, one action warns chosen segments, ahead of bulk sends."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery import sending
from hygie.delivery.models import Channel, Delivery, DeliveryStatus, Priority, SendingProfile
from hygie.reporting import selectors, services
from hygie.reporting.alerts import sanitise
from hygie.reporting.intake import ingest
from hygie.reporting.models import GroupStatus, LureGroup, Mailbox, Report
from hygie.reporting.tests import forwards

UIDS = itertools.count(1)
# The lure greets the member by name and quotes their number: none of it may go out.
LURE = forwards.Lure(
    body=(
        "Bonjour Docteur Lemaire,\n\nVotre remboursement de 84,20 € n’a pas pu être versé "
        "sur le compte du Dr Lemaire (RPPS 10101234567, tél. 06 12 34 56 78).\n"
        "Mettez à jour vos coordonnées : {link}\n\nL’Assurance Maladie\n"
    )
)


@pytest.fixture
def plain_mailbox(organisation) -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def member(organisation, n: int, departement: str, **extra) -> Person:
    return Person.objects.create(
        organisation=organisation,
        email=f"membre{n}@cabinet{departement}.example",
        first_name="Paul",
        last_name=f"Lemaire{n}" if n else "Lemaire",
        departement=departement,
        **extra,
    )


def report_from(mailbox: Mailbox, person: Person) -> Report:
    raw = forwards.gmail(replace(LURE, to=person.email), "fr").replace(
        forwards.REPORTER.encode(), person.email.encode()
    )
    report = ingest(mailbox=mailbox, uidvalidity=1, uid=next(UIDS), raw=raw, size=len(raw))
    assert report is not None
    report.refresh_from_db()
    return report


@pytest.fixture
def gironde(organisation) -> Segment:
    return Segment.objects.create(
        organisation=organisation, name="Gironde", filters={"departements": ["33"]}
    )


def test_the_excerpt_loses_the_reporters_personal_data_and_live_links():
    text = sanitise(
        "Bonjour Docteur Lemaire, écrivez à lemaire@cabinet.example ou au 06 12 34 56 78, "
        "RPPS 10101234567 : https://evil.example/x {{ lien }}",
        names=["Lemaire"],
    )
    assert "Lemaire" not in text and "lemaire@" not in text
    assert "06 12 34" not in text and "10101234567" not in text
    assert "https://" not in text and "hxxps[://]evil[.]example/x" in text
    assert "{{" not in text


def test_one_action_warns_the_segment_by_email_and_sms_and_tells_reporters(
    organisation, plain_mailbox, admin, gironde, django_capture_on_commit_callbacks
):
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=600)
    reporters = [member(organisation, n, "33") for n in range(3)]
    others = [member(organisation, n, "33", mobile_phone="+33611223344") for n in range(3, 6)]
    elsewhere = member(organisation, 6, "40")
    reports = [report_from(plain_mailbox, p) for p in reporters]
    group = LureGroup.objects.get(pk=reports[0].group_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.group_alert_send(
            group=group, actor=Actor.staff(admin), segments=[gironde], sms=True
        )
    assert alert.recipients == 6
    assert alert.email is not None and alert.email.priority == Priority.ALERT
    assert alert.sms is not None and alert.sms.channel == Channel.SMS
    recipients = set(
        Delivery.objects.filter(mailing=alert.email).values_list("recipient", flat=True)
    )
    assert recipients == {p.email for p in [*reporters, *others]}
    assert elsewhere.email not in recipients
    assert Delivery.objects.filter(mailing=alert.sms).count() == 3
    text = alert.email.variants.get().text_body
    assert "Lemaire" not in text and "10101234567" not in text and "06 12 34" not in text
    assert "hxxps[://]ameli-remboursement-fr[.]example" in text
    group.refresh_from_db()
    assert group.status == GroupStatus.PHISHING
    # Each reporter is told, with the number of members warned (queued with the alert).
    verdicts = Delivery.objects.filter(variant__subject__contains="arnaque").select_related(
        "variant"
    )
    assert sorted(d.recipient for d in verdicts) == sorted(p.email for p in reporters)
    assert all("alerter 6 confrères" in d.variant.text_body for d in verdicts)


def test_the_alert_leaves_first_and_its_delay_is_shown(
    organisation, plain_mailbox, admin, gironde, console, smtp_server
):
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=600)
    reporter = member(organisation, 0, "33")
    report = report_from(plain_mailbox, reporter)
    group = LureGroup.objects.get(pk=report.group_id)
    response = console(admin).post(
        reverse("reporting:group_alert", args=[group.pk]), {"segments": [gironde.pk]}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.alert_email is not None
    Delivery.objects.filter(mailing=group.alert_email).update(next_attempt_at=timezone.now())
    sending.send_due("w1")
    delivery = Delivery.objects.get(mailing=group.alert_email)
    assert delivery.status == DeliveryStatus.SENT
    # The alert, and the verdict to its reporter queued with it: both leave at once.
    assert [m.recipients for m in smtp_server.messages] == [[reporter.email]] * 2
    minutes = selectors.alert_minutes(group)
    assert minutes is not None and minutes <= 5
    page = console(admin).get(reverse("reporting:group", args=[group.pk])).content.decode()
    assert "Alerte partie" in page


def test_bad_alert_requests_are_refused_in_french(
    organisation, plain_mailbox, admin, gironde, other_organisation
):
    report = report_from(plain_mailbox, member(organisation, 0, "40"))
    group = LureGroup.objects.get(pk=report.group_id)
    foreign = Segment.objects.create(organisation=other_organisation, name="Ailleurs")
    with translation.override("fr"):
        with pytest.raises(ValidationError, match="au moins un segment"):
            services.group_alert_send(group=group, actor=Actor.staff(admin), segments=[])
        with pytest.raises(ValidationError, match="de votre organisation"):
            services.group_alert_send(group=group, actor=Actor.staff(admin), segments=[foreign])
        with pytest.raises(ValidationError, match="Personne"):
            # Gironde: nobody there yet.
            services.group_alert_send(group=group, actor=Actor.staff(admin), segments=[gironde])
    group.refresh_from_db()
    assert group.alert_email is None and group.status == GroupStatus.OPEN
