"""The console side: configuring the mailbox, triaging reports safely, statistics;
and the public SMS report page."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.delivery.models import Mailing, MailingStatus
from hygie.phishing.reports import record_report
from hygie.reporting.crypto import decrypt
from hygie.reporting.models import Classification, Kind, Mailbox, Report
from hygie.reporting.tests import corpus
from hygie.reporting.tests.conftest import PHISHING_LINK, receive, tracked_link, with_attachment

# --- Configuration ---------------------------------------------------------------------


def settings_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "address": "signalement@urps-test.example",
        "host": "imap.urps-test.example",
        "port": 993,
        "security": "ssl",
        "username": "signalement",
        "password": "Tr3s-s3cret-IMAP",
        "folder": "INBOX",
        "processed_folder": "",
        "poll_minutes": 5,
        "enabled": "on",
        "answers_reports": "on",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_mailbox_is_configured_with_an_encrypted_password_never_shown(
    console, admin, organisation
):
    client = console(admin)
    response = client.post(reverse("reporting:settings"), settings_post())
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(organisation=organisation)
    assert "Tr3s-s3cret-IMAP" not in mailbox.password_encrypted
    assert decrypt(mailbox.password_encrypted) == "Tr3s-s3cret-IMAP"
    page = client.get(reverse("reporting:settings"))
    assert b"Tr3s-s3cret-IMAP" not in page.content
    assert mailbox.password_encrypted.encode() not in page.content
    entry = AuditEntry.objects.get(action="report_mailbox.saved")
    assert entry.details["password_changed"] is True
    assert "Tr3s-s3cret-IMAP" not in str(entry.details)
    # Saving again without typing the password keeps it.
    client.post(reverse("reporting:settings"), settings_post(password="", poll_minutes=10))
    mailbox.refresh_from_db()
    assert mailbox.poll_minutes == 10
    assert decrypt(mailbox.password_encrypted) == "Tr3s-s3cret-IMAP"


def test_enabling_without_a_password_is_refused(console, admin, organisation):
    response = console(admin).post(reverse("reporting:settings"), settings_post(password=""))
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not Mailbox.objects.exists()


def test_bad_values_are_named_and_nothing_is_saved(console, admin):
    response = console(admin).post(reverse("reporting:settings"), settings_post(port=70000))
    assert "port" in response.context["form"].errors
    assert not Mailbox.objects.exists()


def test_the_connection_test_reports_a_clear_error_and_saves_nothing(console, admin, imap_account):
    client = console(admin)
    data = settings_post(
        host="127.0.0.1",
        port=imap_account.server.port,
        security="none",
        username=imap_account.username,
        password="wrong-password",
        action="test",
    )
    response = client.post(reverse("reporting:settings"), data, follow=True)
    # The console speaks French by default.
    assert "a refusé l'identifiant ou le mot de passe" in str(list(response.context["messages"]))
    data["password"] = imap_account.password
    response = client.post(reverse("reporting:settings"), data, follow=True)
    assert "Connexion réussie : 0 message(s)" in str(list(response.context["messages"]))
    assert not Mailbox.objects.exists()


def test_nul_characters_and_odd_bytes_are_stored_on_every_database(plain_mailbox):
    raw = (
        b"From: dr@example.org\r\nSubject: nul\x00 here\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>a\x00b https://x.example/\x00</p>\r\n"
    )
    report = receive(plain_mailbox, raw)
    report.refresh_from_db()
    assert report.processing == "done"
    assert report.subject == "nul here"
    assert "\x00" not in str(report.details)


# --- Triage ------------------------------------------------------------------------------


def test_the_queue_lists_real_reports_only(console, staff_of, plain_mailbox, simulation_delivery):
    real = receive(plain_mailbox, with_attachment())
    record_report(delivery=simulation_delivery)
    Report.objects.create(
        organisation=plain_mailbox.organisation,
        kind=Kind.SIMULATION,
        subject="Avis de paiement",
        classification=Classification.SIMULATION,
    )
    response = console(staff_of(Role.INCIDENT_HANDLER)).get(reverse("reporting:queue"))
    assert list(response.context["page"].object_list) == [real]


def test_a_report_is_shown_safely(console, staff_of, plain_mailbox):
    report = receive(plain_mailbox, with_attachment())
    response = console(staff_of(Role.INCIDENT_HANDLER)).get(
        reverse("reporting:report", args=[report.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    html = response.context["html"]
    for forbidden in ("<script", "<img", "<iframe", "<form", "onclick", "href=", "tracker.example"):
        assert forbidden not in html
    assert "Cliquez" in html and "ici" in html
    # The address behind the link is shown, as text only.
    assert f"<code>{PHISHING_LINK}</code>" in page
    assert f'href="{PHISHING_LINK}"' not in page
    assert hashlib.sha256(b"PK\x03\x04zip").hexdigest() in page
    assert "remboursement.zip" in page
    assert response.context["headers"]["authentication"] == {
        "spf": "softfail",
        "dkim": "fail",
        "dmarc": "fail",
    }


def test_similar_reports_are_grouped(console, staff_of, plain_mailbox):
    first = receive(plain_mailbox, with_attachment())
    second = receive(plain_mailbox, corpus.inline(corpus.suspicious(), client="gmail"))
    other = EmailMessage()
    other["From"] = corpus.REPORTER
    other["Subject"] = "Une autre chose"
    other.set_content("https://unrelated.example/")
    unrelated = receive(plain_mailbox, other.as_bytes())
    response = console(staff_of(Role.INCIDENT_HANDLER)).get(
        reverse("reporting:report", args=[first.pk])
    )
    similar = {item.report: set(item.reasons) for item in response.context["similar"]}
    assert unrelated not in similar
    assert similar[second] >= {"sender", "subject", "domain"}


def test_reports_of_another_organisation_are_not_found(console, outsider, plain_mailbox):
    report = receive(plain_mailbox, with_attachment())
    client = console(outsider)
    assert client.get(reverse("reporting:report", args=[report.pk])).status_code == 404
    response = client.post(
        reverse("reporting:report_classify", args=[report.pk]), {"classification": "spam"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.classification == Classification.NEW


def test_a_handler_classifies_answers_and_drafts_an_alert(
    console, admin, plain_mailbox, django_capture_on_commit_callbacks
):
    report = receive(plain_mailbox, with_attachment())
    client = console(admin)
    client.post(
        reverse("reporting:report_classify", args=[report.pk]), {"classification": "phishing"}
    )
    report.refresh_from_db()
    assert report.classification == Classification.PHISHING
    assert report.classified_by == admin
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reporting:report_answer", args=[report.pk]),
            {"answer": "phishing", "note": "Merci Docteur, bien joué."},
        )
    (answer,) = mail.outbox
    assert answer.to == [corpus.REPORTER]
    assert "Merci Docteur, bien joué." in answer.body
    assert "hameçonnage" in answer.body
    response = client.post(reverse("reporting:report_alert", args=[report.pk]))
    mailing = Mailing.objects.get()
    assert response["Location"] == reverse("delivery:mailing", args=[mailing.pk])
    assert mailing.status == MailingStatus.DRAFT
    variant = mailing.variants.get()
    assert "Votre remboursement est en attente" in variant.text_body
    assert "portail-ameli-securite.example" in variant.text_body
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"report.classified", "report.answered", "report.alert_drafted"} <= actions


def test_only_a_phishing_report_becomes_an_alert(console, admin, plain_mailbox):
    report = receive(plain_mailbox, with_attachment())
    console(admin).post(reverse("reporting:report_alert", args=[report.pk]))
    assert not Mailing.objects.exists()


def test_a_campaign_manager_cannot_triage(console, member, plain_mailbox):
    report = receive(plain_mailbox, with_attachment())
    response = console(member).post(
        reverse("reporting:report_classify", args=[report.pk]), {"classification": "spam"}
    )
    assert response.status_code == 403


def test_statistics_show_the_reporting_figures(console, admin, plain_mailbox, simulation_delivery):
    record_report(delivery=simulation_delivery)
    report = receive(plain_mailbox, with_attachment())
    Report.objects.filter(pk=report.pk).update(classification=Classification.PHISHING)
    response = console(admin).get(reverse("reporting:statistics"))
    figures = response.context["stats"]
    assert figures.simulations_sent == 1
    assert figures.simulations_reported == 1
    assert 115 <= figures.median_minutes <= 125  # delivered two hours before the report
    assert figures.threats_caught == 1
    assert sum(count for _monday, count in figures.weeks) == 1


# --- The public SMS page -----------------------------------------------------------------------


@pytest.fixture
def sms_delivery(organisation, admin, reporter):
    from datetime import timedelta

    from hygie.reporting.tests.conftest import launch

    return launch(organisation, admin, "colis-en-attente-sms", timedelta(minutes=30))


def test_a_pasted_simulated_sms_is_recognised_and_explained(client, organisation, sms_delivery):
    cache.clear()
    url = reverse("reporting_public:sms", kwargs={"organisation": organisation.slug})
    assert client.get(url).status_code == 200
    text = f"ColiRapide: Votre colis n'a pas pu etre livre. {tracked_link(sms_delivery)}"
    response = client.post(url, {"text": text})
    assert response.status_code == 200
    assert response.context["report"].kind == Kind.SIMULATION
    assert "ColiRapide" in response.content.decode()  # a clue, quoted
    result = sms_delivery.simulation_result
    result.refresh_from_db()
    assert result.reported_at is not None and result.clicked_at is None


def test_a_real_sms_joins_the_queue_and_abuse_is_limited(client, organisation):
    cache.clear()
    url = reverse("reporting_public:sms", kwargs={"organisation": organisation.slug})
    response = client.post(
        url, {"text": "Votre compte CPS expire : https://cps-renouvellement.example/a"}
    )
    assert response.context["report"].kind == Kind.SUSPICIOUS
    report = Report.objects.get()
    assert report.channel == "sms"
    assert report.domains == ["cps-renouvellement.example"]
    for _ in range(9):
        client.post(url, {"text": "spam"})
    assert client.post(url, {"text": "spam"}).status_code == 429
    assert Report.objects.count() == 10


def test_the_sms_page_of_an_unknown_organisation_is_not_found(client, db):
    url = reverse("reporting_public:sms", kwargs={"organisation": "inconnue"})
    assert client.get(url).status_code == 404
