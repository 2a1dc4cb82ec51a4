"""Lures in circulation: grouping real reports, the staff page, and verdicts."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from hygie.accounts.actors import Actor
from hygie.audience.models import Person
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, MailingKind
from hygie.reporting import grouping, services
from hygie.reporting.models import Classification, GroupStatus, LureGroup, Report
from hygie.reporting.rendering import annotate, defang
from hygie.reporting.tests import forwards
from hygie.reporting.tests.conftest import receive
from hygie.testing.text import plain

LURE = forwards.Lure()


def members(organisation, n: int, departement: str = "33") -> list[Person]:
    return [
        Person.objects.create(
            organisation=organisation,
            email=f"dr{i}-{departement}@cabinet.example",
            first_name="Claire",
            last_name=f"Membre{i}",
            departement=departement,
            profession="doctor",
        )
        for i in range(n)
    ]


def forward_from(person: Person, lure: forwards.Lure, client=forwards.gmail) -> bytes:
    """`person` received `lure` and forwarded it with `client`."""
    raw = client(replace(lure, to=person.email), "fr")
    return raw.replace(forwards.REPORTER.encode(), person.email.encode())


def other_lure() -> forwards.Lure:
    return forwards.Lure(
        sender_name="Service colis",
        sender="suivi@colis-relivraison.example",
        subject="Votre colis est en attente",
        link="https://colis-relivraison.example/frais",
        body=(
            "Votre colis n’a pas pu être livré faute d’affranchissement suffisant.\n"
            "Réglez 1,99 € de frais de port ici : {link}\nSinon il sera renvoyé.\n"
        ),
    )


def test_reports_of_one_lure_from_different_clients_form_one_group(organisation, plain_mailbox):
    people = members(organisation, 3)
    reports = [
        receive(plain_mailbox, forward_from(people[0], LURE, forwards.gmail)),
        receive(plain_mailbox, forward_from(people[1], LURE, forwards.outlook_windows)),
        receive(plain_mailbox, forward_from(people[2], LURE, forwards.as_rfc822)),
    ]
    parcel = receive(plain_mailbox, forward_from(people[0], other_lure()))
    groups = {r.group_id for r in reports}
    assert len(groups) == 1 and None not in groups
    assert parcel.group_id not in groups
    group = LureGroup.objects.get(pk=reports[0].group_id)
    assert group.reports_count == 3
    assert group.reporters_count == 3


def test_near_identical_text_groups_without_any_shared_link_or_sender(organisation, plain_mailbox):
    person = members(organisation, 1)[0]
    first = receive(plain_mailbox, forward_from(person, LURE))
    variant = replace(
        LURE,
        sender="contact@remboursement-secu.example",
        link="https://autre-hote.example/x",
        subject="Remboursement de 112,00 € en attente",
        body=LURE.body.replace("84,20", "112,00"),
    )
    second = receive(plain_mailbox, forward_from(person, variant))
    assert first.group_id == second.group_id


def test_a_shared_attachment_groups_otherwise_different_messages(organisation, plain_mailbox):
    def with_invoice(subject: str, text: str) -> bytes:
        original = EmailMessage()
        original["From"] = f"x@{subject.split()[0].lower()}-facture.example"
        original["Subject"] = subject
        original.set_content(text)
        original.add_attachment(
            b"%PDF-1.4 same", maintype="application", subtype="pdf", filename="facture.pdf"
        )
        outer = EmailMessage()
        outer["From"] = forwards.REPORTER
        outer["Subject"] = "Fwd"
        outer.set_content("vu")
        outer.add_attachment(original)
        return outer.as_bytes()

    a = receive(plain_mailbox, with_invoice("Alpha facture", "Veuillez trouver la facture."))
    b = receive(plain_mailbox, with_invoice("Beta relance", "Relance : réglez la facture jointe."))
    assert a.group_id == b.group_id


def test_free_mail_senders_alone_do_not_group(organisation, plain_mailbox):
    person = members(organisation, 1)[0]
    a = receive(plain_mailbox, forward_from(person, replace(LURE, sender="a.dupont@gmail.com")))
    b = receive(
        plain_mailbox, forward_from(person, replace(other_lure(), sender="b.durand@gmail.com"))
    )
    assert a.group_id != b.group_id


def test_regrouping_rebuilds_automatic_groups_and_keeps_the_ones_staff_shaped(
    organisation, plain_mailbox, admin
):
    people = members(organisation, 4)
    reports = [receive(plain_mailbox, forward_from(p, LURE)) for p in people[:2]]
    parcels = [receive(plain_mailbox, forward_from(p, other_lure())) for p in people[2:]]
    # Scatter the automatic groups, as an older rule would have left them.
    for report in [*reports, *parcels]:
        Report.objects.filter(pk=report.pk).update(
            group=LureGroup.objects.create(organisation=organisation)
        )
    kept = LureGroup.objects.create(organisation=organisation, pinned=True, name="Gardé")
    lone = receive(plain_mailbox, forward_from(people[0], replace(LURE, subject="x")))
    Report.objects.filter(pk=lone.pk).update(group=kept)
    grouping.groups_rebuild(organisation=organisation)
    fresh = {r.pk: r.group_id for r in Report.objects.all()}
    assert fresh[reports[0].pk] == fresh[reports[1].pk]
    assert fresh[parcels[0].pk] == fresh[parcels[1].pk]
    assert fresh[reports[0].pk] != fresh[parcels[0].pk]
    assert fresh[lone.pk] == kept.pk
    assert LureGroup.objects.filter(organisation=organisation).count() == 3


def test_staff_merge_split_name_and_classify_with_verdicts_once_each(
    organisation, plain_mailbox, admin
):
    people = members(organisation, 3)
    reports = [receive(plain_mailbox, forward_from(p, LURE)) for p in people]
    # The first member reports it a second time.
    again = receive(plain_mailbox, forward_from(people[0], LURE, forwards.outlook_mac))
    parcel = receive(plain_mailbox, forward_from(people[1], other_lure()))
    group = LureGroup.objects.get(pk=reports[0].group_id)
    assert again.group_id == group.pk
    services.group_merge(
        group=group, others=[LureGroup.objects.get(pk=parcel.group_id)], actor=Actor.staff(admin)
    )
    assert Report.objects.get(pk=parcel.pk).group_id == group.pk
    moved = services.group_split(group=group, report_ids=[parcel.pk], actor=Actor.staff(admin))
    assert Report.objects.get(pk=parcel.pk).group_id == moved.pk
    services.group_rename(
        group=group, actor=Actor.staff(admin), name="  Faux remboursement  Ameli "
    )
    group.refresh_from_db()
    assert group.name == "Faux remboursement Ameli"

    mail.outbox.clear()
    with_callbacks = services.group_classify
    told = with_callbacks(group=group, actor=Actor.staff(admin), status=GroupStatus.PHISHING)
    assert told == 3
    assert set(Report.objects.filter(group=group).values_list("classification", flat=True)) == {
        Classification.PHISHING
    }
    # Told again? No: each reporter once, whatever happens next.
    assert (
        services.group_classify(group=group, actor=Actor.staff(admin), status=GroupStatus.PHISHING)
        == 0
    )
    late = members(organisation, 1, departement="40")[0]
    late_report = receive(plain_mailbox, forward_from(late, LURE))
    assert late_report.group_id == group.pk
    assert late_report.verdict_sent_at is not None
    assert late_report.classification == Classification.PHISHING


def test_verdicts_are_queued_with_the_verdict_and_sent_once_each(
    organisation, plain_mailbox, admin, smtp_server
):
    people = members(organisation, 2)
    reports = [receive(plain_mailbox, forward_from(p, LURE)) for p in people]
    # The first member reports it a second time: still one message to them.
    receive(plain_mailbox, forward_from(people[0], LURE, forwards.outlook_mac))
    group = LureGroup.objects.get(pk=reports[0].group_id)
    smtp_server.messages.clear()
    services.group_classify(group=group, actor=Actor.staff(admin), status=GroupStatus.LEGITIMATE)
    # Recorded, the worker not run yet: the messages exist (they commit with the
    # verdict), and nothing has left.
    queued = Delivery.objects.filter(mailing__kind=MailingKind.NOTICE)
    assert sorted(queued.values_list("recipient", flat=True)) == sorted(p.email for p in people)
    assert set(queued.values_list("status", flat=True)) == {DeliveryStatus.SCHEDULED}
    assert queued.first().mailing.recipients_private
    assert smtp_server.messages == []
    sending.send_due("w1")
    sending.send_due("w2")
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == sorted(
        p.email for p in people
    )
    assert set(queued.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    for received in smtp_server.messages:
        assert "légitime" in str(received.message["Subject"])
        text = plain(received.message.get_body(("plain",)).get_content())
        assert "merci de votre vigilance" in text.lower()
        assert "Votre remboursement de 84,20 €" in text


def test_bad_staff_actions_are_refused_in_french_and_change_nothing(
    organisation, plain_mailbox, admin, other_organisation
):
    person = members(organisation, 1)[0]
    report = receive(plain_mailbox, forward_from(person, LURE))
    group = LureGroup.objects.get(pk=report.group_id)
    foreign = LureGroup.objects.create(organisation=other_organisation)
    with translation.override("fr"):
        with pytest.raises(ValidationError, match="ne peuvent pas être fusionnés"):
            services.group_merge(group=group, others=[foreign], actor=Actor.staff(admin))
        with pytest.raises(ValidationError, match="au moins un signalement"):
            services.group_split(group=group, report_ids=[report.pk], actor=Actor.staff(admin))
    with pytest.raises(ValidationError):
        services.group_classify(group=group, actor=Actor.staff(admin), status="spam")
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN and not group.pinned


def test_the_circulation_page_ranks_groups_and_shows_checks_safely(
    console, organisation, plain_mailbox, admin
):
    client = console(admin)
    big = (
        members(organisation, 6, departement="33")
        + members(organisation, 5, departement="40")
        + members(organisation, 1, departement="64")
    )
    for person in big:
        receive(
            plain_mailbox, forward_from(person, replace(LURE, to=person.email), forwards.as_rfc822)
        )
    small = receive(plain_mailbox, forward_from(big[0], other_lure()))
    page = client.get(reverse("reporting:circulation"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "En circulation" in html
    group = LureGroup.objects.exclude(pk=small.group_id).get()
    assert html.index(f"/circulation/{group.pk}/") < html.index(f"/circulation/{small.group_id}/")
    detail = client.get(reverse("reporting:group", args=[group.pk])).content.decode()
    assert "hxxps[://]ameli-remboursement-fr[.]example" in detail
    assert 'href="https://ameli-remboursement-fr' not in detail
    assert "ameli-remboursement-fr.example</code> (imite « ameli »)" in plain(detail)
    assert "<dt>SPF</dt><dd>fail</dd>" in detail
    # Six members of the 33, five of the 40, one of the 64: the 64 is under the
    # threshold (5), and the 40 is withheld too, or the total would give the 64 away.
    assert "33 — 6" in detail
    assert "64 — 1" not in detail and "40 — 5" not in detail
    assert "64 — moins que le seuil d'anonymat" in detail


def test_another_organisation_cannot_see_a_group(console, outsider, organisation, plain_mailbox):
    person = members(organisation, 1)[0]
    report = receive(plain_mailbox, forward_from(person, LURE))
    response = console(outsider).get(reverse("reporting:group", args=[report.group_id]))
    assert response.status_code == 404


def test_links_are_defanged_and_pressure_words_marked():
    assert defang("https://evil.example/a.php") == "hxxps[://]evil[.]example/a[.]php"
    pieces = annotate("Payez sous 48 heures : https://evil.example/x merci")
    assert ("pressure", "sous 48 heures") in pieces
    assert ("link", "hxxps[://]evil[.]example/x") in pieces
