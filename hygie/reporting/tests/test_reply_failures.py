"""What the reporter was told, said truly: why nobody was answered (in the reader's
language), an automatic answer the relay refused, a handler's answer it refused."""

from __future__ import annotations

import html
from email.message import EmailMessage

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hygie.accounts.models import AuditEntry
from hygie.reporting.models import NO_REPLY_REASONS, RELAY_REFUSED, ReplyStatus, Report
from hygie.reporting.parsing import auto_generated_reason
from hygie.reporting.tests.conftest import receive, with_attachment

BROKEN = {"default": {"BACKEND": "hygie.reporting.tests.test_reply_failures.RefusingRelay"}}


class RefusingRelay:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError("relay down")


def message(**headers: str) -> EmailMessage:
    built = EmailMessage()
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content("Bonjour")
    return built


def delivery_report() -> EmailMessage:
    built = message()
    built.set_type("multipart/report")
    return built


@pytest.mark.parametrize(
    ("built", "reporter"),
    [
        (message(Auto_Submitted="auto-replied"), "dr.roux@example.org"),
        (message(Return_Path="<>"), "dr.roux@example.org"),
        (message(), "no-reply@example.org"),
        (message(Precedence="bulk"), "dr.roux@example.org"),
        (message(List_Id="<liste.example.org>"), "dr.roux@example.org"),
        (delivery_report(), "dr.roux@example.org"),
    ],
)
def test_every_reason_for_no_automatic_answer_has_a_label(built, reporter):
    reason = auto_generated_reason(built, reporter)
    assert reason in NO_REPLY_REASONS


@pytest.mark.parametrize("reason", sorted(NO_REPLY_REASONS))
def test_the_console_says_in_french_why_nobody_was_answered(console, admin, plain_mailbox, reason):
    report = receive(plain_mailbox, with_attachment())
    Report.objects.filter(pk=report.pk).update(reply_status=ReplyStatus.SKIPPED, reply_note=reason)
    page = console(admin).get(reverse("reporting:report", args=[report.pk])).content.decode()
    with translation.override("fr"):
        french = str(NO_REPLY_REASONS[reason])
    with translation.override("en"):
        assert french != str(NO_REPLY_REASONS[reason])
    assert f"Pas de réponse automatique ({french})" in html.unescape(page)


@pytest.mark.django_db(transaction=True)
def test_an_automatic_answer_the_relay_refuses_is_not_said_sent(
    console, admin, plain_mailbox, settings
):
    settings.MAILERS = BROKEN
    report = receive(plain_mailbox, with_attachment())  # committed: the answer is tried
    report.refresh_from_db()
    assert (report.reply_status, report.reply_note) == (ReplyStatus.SKIPPED, RELAY_REFUSED)
    assert report.replied_at is None
    page = console(admin).get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "le serveur d’envoi n’a pas accepté la réponse" in page


def test_an_answer_the_relay_refuses_is_not_recorded_and_the_handler_is_told(
    console, admin, plain_mailbox, settings
):
    report = receive(plain_mailbox, with_attachment())
    settings.MAILERS = BROKEN
    mail.outbox.clear()
    response = console(admin).post(
        reverse("reporting:report_answer", args=[report.pk]),
        {"answer": "phishing", "note": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Le serveur d’envoi n’a pas accepté la réponse" in page
    assert "Réponse envoyée" not in page and "did not accept" not in page
    assert not AuditEntry.objects.filter(action="report.answered").exists()
    assert mail.outbox == []
