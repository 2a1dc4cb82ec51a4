"""Verdict messages sent by the delivery engine: automatic, threaded, in the reader's typography."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail

from hygie.accounts.actors import Actor
from hygie.audience.models import Person
from hygie.delivery import sending
from hygie.delivery.models import Delivery, MailingKind
from hygie.lib.typography import NBSP, NNBSP
from hygie.reporting import replies, services
from hygie.reporting.models import GroupStatus, LureGroup, Mailbox, Report
from hygie.reporting.tests.test_circulation import LURE, forward_from, members, receive

FORWARD_ID = re.compile(rb"^Message-ID: <fwd-[^>]*>\r?$", re.M)


@pytest.fixture
def mailbox(organisation) -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def forward_with_id(person: Person, message_id: bytes) -> bytes:
    """`person` forwards the lure; their forward's Message-ID header reads `message_id`."""
    raw, count = FORWARD_ID.subn(b"Message-ID: " + message_id, forward_from(person, LURE))
    assert count == 1
    return raw


def classify_and_send(group: LureGroup, admin, status: str) -> None:
    services.group_classify(group=group, actor=Actor.staff(admin), status=status)
    while sending.send_due("w1"):
        pass


def test_each_verdict_says_it_is_automatic_and_threads_under_its_reporters_forward(
    organisation, mailbox, admin, smtp_server
):
    people = members(organisation, 2)
    reports = [
        receive(mailbox, forward_with_id(p, f"<fwd-{n}-x9@cabinet.example>".encode()))
        for n, p in enumerate(people)
    ]
    smtp_server.messages.clear()
    classify_and_send(LureGroup.objects.get(pk=reports[0].group_id), admin, GroupStatus.PHISHING)
    by_recipient = {r.recipients[0]: r.message for r in smtp_server.messages}
    assert set(by_recipient) == {p.email for p in people}
    for n, person in enumerate(people):
        message = by_recipient[person.email]
        # RFC 3834: an auto-responder must not answer it back.
        assert message["Auto-Submitted"] == "auto-replied"
        assert message["X-Auto-Response-Suppress"] == "All"
        # Threaded under the message this reporter forwarded, not anyone else's.
        assert message["In-Reply-To"] == f"<fwd-{n}-x9@cabinet.example>"
        assert message["References"] == f"<fwd-{n}-x9@cabinet.example>"
        assert message["Message-ID"] != message["In-Reply-To"]


@pytest.mark.parametrize(
    "forged",
    [
        # Folded over two lines in the forward itself: read back as one line, then refused.
        b"<fwd-1@cabinet.example>\r\n Bcc: victim@example.org",
        b"<fwd-1@cabinet.example>\r\n\tX-Injected: yes",
    ],
)
def test_a_forged_message_id_is_refused_and_the_verdict_still_goes(
    organisation, mailbox, admin, smtp_server, forged
):
    (person,) = members(organisation, 1)
    report = receive(mailbox, forward_with_id(person, forged))
    smtp_server.messages.clear()
    classify_and_send(LureGroup.objects.get(pk=report.group_id), admin, GroupStatus.PHISHING)
    [received] = smtp_server.messages
    assert received.recipients == [person.email]
    message = received.message
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert message["In-Reply-To"] is None and message["References"] is None
    assert message["Auto-Submitted"] == "auto-replied"
    assert Delivery.objects.get(mailing__kind=MailingKind.NOTICE).headers == {}


def test_a_message_id_with_line_breaks_stored_as_it_came_is_refused(
    organisation, mailbox, admin, smtp_server
):
    (person,) = members(organisation, 1)
    report = receive(mailbox, forward_from(person, LURE))
    # Whatever a parser might keep one day: CR/LF in the stored id never reach a header.
    details = report.details | {"message_id": "<fwd-1@cabinet.example>\r\nBcc: victim@example.org"}
    Report.objects.filter(pk=report.pk).update(details=details)
    smtp_server.messages.clear()
    classify_and_send(LureGroup.objects.get(pk=report.group_id), admin, GroupStatus.LEGITIMATE)
    [received] = smtp_server.messages
    assert received.recipients == [person.email]
    assert received.message["Bcc"] is None and received.message["In-Reply-To"] is None
    assert b"victim@example.org" not in received.data


def test_the_verdict_typography_follows_the_reporters_language(
    organisation, mailbox, admin, smtp_server
):
    assert organisation.language.startswith("fr")
    french, english = members(organisation, 2)
    english.language = "en"
    english.save(update_fields=["language"])
    reports = [receive(mailbox, forward_from(p, LURE)) for p in (french, english)]
    smtp_server.messages.clear()
    classify_and_send(LureGroup.objects.get(pk=reports[0].group_id), admin, GroupStatus.LEGITIMATE)
    by_recipient = {r.recipients[0]: r.message for r in smtp_server.messages}

    message = by_recipient[english.email]
    text = message.get_body(("plain",)).get_content()
    html = unescape(message.get_body(("html",)).get_content())
    subject = str(message["Subject"])
    assert "Thank you for your vigilance: checking before clicking" in text
    assert "Thank you for your vigilance: checking before clicking" in html
    assert subject.startswith("The message you reported is legitimate")
    assert not {NBSP, NNBSP} & set(text + html + subject)

    message = by_recipient[french.email]
    text = message.get_body(("plain",)).get_content()
    html = unescape(message.get_body(("html",)).get_content())
    assert f"Merci de votre vigilance{NBSP}: vérifier avant de cliquer" in text
    assert f"Merci de votre vigilance{NBSP}: vérifier avant de cliquer" in html
    assert f"(«{NNBSP}" in text and f"{NNBSP}»)" in text


@pytest.mark.parametrize(
    ("message_id", "threaded"),
    [("<fwd-7@cabinet.example>", True), ("<fwd-7@cabinet.example>\r\nBcc: x@example.org", False)],
)
def test_the_handlers_answer_threads_under_the_report_when_its_id_is_plain(
    organisation, django_capture_on_commit_callbacks, message_id, threaded
):
    report = Report.objects.create(
        organisation=organisation,
        reporter_email="dr.roux@example.org",
        subject="Facture impayée",
        details={"message_id": message_id},
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.handler_answer(report, answer="phishing", note="")
    [sent] = mail.outbox
    message = sent.message()
    assert sent.to == ["dr.roux@example.org"] and message["Bcc"] is None
    # A person's answer, not an automatic one.
    assert message["Auto-Submitted"] is None
    expected = "<fwd-7@cabinet.example>" if threaded else None
    assert message["In-Reply-To"] == expected and message["References"] == expected
