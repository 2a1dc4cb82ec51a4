"""The report mailbox against a real IMAP server (Dovecot): polling, exactly-once
processing across pollers and restarts, hostile messages, credentials."""

from __future__ import annotations

import logging
import threading
from email.message import EmailMessage

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from hygie.operations.schedule import WORKER_STEPS
from hygie.reporting import polling
from hygie.reporting.intake import RAW_LIMIT
from hygie.reporting.models import Kind, Mailbox, Processing, ReplyStatus, Report, Security
from hygie.reporting.steps import poll_report_mailboxes
from hygie.reporting.tests import corpus

# Real commits: answers leave after commit, and exactly-once rests on real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def suspicious_forms() -> list[bytes]:
    original = corpus.suspicious()
    return [
        corpus.as_attachment(original),
        corpus.as_eml_file(original),
        *(
            corpus.inline(original, client=client, language=language)
            for client, language in sorted(corpus.SEPARATORS)
        ),
    ]


def test_every_form_of_report_is_processed_once_and_marked(mailbox, imap_account, reporter):
    forms = suspicious_forms()
    for raw in forms:
        imap_account.deliver(raw)
    result = polling.poll(mailbox)
    assert result.processed == len(forms)
    reports = Report.objects.filter(mailbox=mailbox)
    assert reports.count() == len(forms)
    for report in reports:
        assert report.kind == Kind.SUSPICIOUS
        assert report.processing == Processing.DONE
        assert report.person == reporter
        assert report.subject == "Votre remboursement est en attente"
        assert report.original_domain == "portail-ameli-securite.example"
        assert "portail-ameli-securite.example" in report.domains
    # Every message is flagged processed, and nothing is left to do.
    assert imap_account.uids(criteria=["KEYWORD", polling.PROCESSED_KEYWORD]) == sorted(
        imap_account.uids()
    )
    assert polling.poll(mailbox).processed == 0
    assert Report.objects.count() == len(forms)
    # Each reporter got one acknowledgement (French by default).
    assert len(mail.outbox) == min(len(forms), 5)  # the per-sender daily limit
    assert "ne cliquez pas sur ses liens" in mail.outbox[0].body


def test_two_pollers_meeting_process_each_message_once(mailbox, imap_account):
    for raw in suspicious_forms()[:3]:
        imap_account.deliver(raw)
    # Poller A lists the new messages, then poller B does the whole poll...
    client_a = polling._connect(mailbox)
    uidvalidity, pending_a, _known = polling.pending_uids(client_a, mailbox)
    assert len(pending_a) == 3
    assert polling.poll(mailbox).processed == 3
    # ...and A, working from its stale list, finds every message already taken.
    for uid in pending_a:
        raw = client_a.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
        assert (
            polling.process_message(
                mailbox, uidvalidity=uidvalidity, uid=uid, raw=raw, size=len(raw)
            )
            is None
        )
    client_a.logout()
    assert Report.objects.count() == 3
    assert len(mail.outbox) == 3


def test_two_pollers_running_at_the_same_time_process_each_message_once(mailbox, imap_account):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the interleaved test above covers it.")
    forms = suspicious_forms()
    for raw in forms:
        imap_account.deliver(raw)
    barrier = threading.Barrier(2)
    results: list[polling.PollResult] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(polling.poll(mailbox))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2
    assert sum(result.processed for result in results) == len(forms)
    assert Report.objects.count() == len(forms)
    assert len(mail.outbox) == Report.objects.filter(reply_status=ReplyStatus.SENT).count()


def test_a_restart_after_processing_but_before_marking_does_not_repeat(mailbox, imap_account):
    imap_account.deliver(suspicious_forms()[0])
    # A worker processes the message and dies before flagging it on the server.
    client = polling._connect(mailbox)
    uidvalidity, pending, _known = polling.pending_uids(client, mailbox)
    (uid,) = pending
    raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    polling.process_message(mailbox, uidvalidity=uidvalidity, uid=uid, raw=raw, size=len(raw))
    client.logout()
    assert imap_account.uids(criteria=["KEYWORD", polling.PROCESSED_KEYWORD]) == []
    # The restarted worker only marks it.
    result = polling.poll(mailbox)
    assert (result.processed, result.already_done) == (0, 1)
    assert Report.objects.count() == 1
    assert len(mail.outbox) == 1
    assert imap_account.uids(criteria=["KEYWORD", polling.PROCESSED_KEYWORD]) == [uid]


def test_processed_messages_can_be_moved_to_a_folder(mailbox, imap_account):
    mailbox.processed_folder = "Traités"
    mailbox.save()
    imap_account.deliver(suspicious_forms()[2])
    assert polling.poll(mailbox).processed == 1
    assert imap_account.uids() == []
    assert len(imap_account.uids("Traités")) == 1
    assert polling.poll(mailbox).processed == 0


def test_the_worker_step_polls_each_mailbox_once_per_interval(mailbox, imap_account):
    assert poll_report_mailboxes in WORKER_STEPS
    imap_account.deliver(suspicious_forms()[0])
    assert polling.poll_due("w1") == 1
    imap_account.deliver(suspicious_forms()[1])
    # Not due again before the interval: the second worker finds nothing to do.
    assert polling.poll_due("w2") == 0
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    assert mailbox.next_poll_at > timezone.now() + timezone.timedelta(minutes=4)
    Mailbox.objects.update(next_poll_at=timezone.now())
    assert polling.poll_due("w2") == 1


def test_a_flooded_mailbox_drains_over_consecutive_steps(mailbox, imap_account, monkeypatch):
    monkeypatch.setattr(polling, "MESSAGES_PER_POLL", 2)
    for raw in suspicious_forms()[:5]:
        imap_account.deliver(raw)
    assert polling.poll_due("w1") == 2
    # Still due at once: the rest does not wait for the next interval.
    assert polling.poll_due("w1") == 2
    assert polling.poll_due("w1") == 1
    assert polling.poll_due("w1") == 0
    assert Report.objects.count() == 5


def test_a_broken_mailbox_records_its_error_and_the_worker_goes_on(mailbox, imap_account):
    Mailbox.objects.filter(pk=mailbox.pk).update(username="nobody-here")
    assert polling.poll_due("w1") == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == "The server refused the user name or the password."


# --- Hostile messages --------------------------------------------------------------------


def huge_report() -> bytes:
    message = EmailMessage()
    message["From"] = corpus.REPORTER
    message["Subject"] = "Fwd: facture urgente"
    message.set_content("Regardez la pièce jointe : https://facture-urgente.example/x")
    message.add_attachment(
        b"\x00" * (20 * 1024 * 1024),
        maintype="application",
        subtype="zip",
        filename="facture.zip",
    )
    return message.as_bytes()


def test_hostile_messages_never_stop_the_poller(mailbox, imap_account, monkeypatch, caplog):
    imap_account.deliver(huge_report())
    imap_account.deliver(
        b"From: dr@example.org\r\nSubject: =?x-bogus?q?abc?=\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=x-bogus\r\n\r\n\xff\xfe\xfd --b"
    )
    nested = corpus.suspicious()
    for _ in range(12):
        nested = corpus.as_attachment(nested)
    imap_account.deliver(nested)
    imap_account.deliver(suspicious_forms()[2])
    with caplog.at_level(logging.WARNING):
        result = polling.poll(mailbox)
    assert result.processed + result.failed == 4
    huge = Report.objects.get(subject="Fwd: facture urgente")
    assert huge.truncated and huge.size > 20 * 1024 * 1024
    assert len(bytes(huge.raw)) <= RAW_LIMIT
    assert huge.processing == Processing.DONE
    malformed = Report.objects.get(reporter_email="dr@example.org")
    assert "malformed MIME" in malformed.details["problems"]
    deep = [r for r in Report.objects.all() if "nested too deeply" in r.details["problems"]]
    assert len(deep) == 1


def test_a_message_that_breaks_processing_is_kept_with_its_error(
    mailbox, imap_account, monkeypatch
):
    from hygie.reporting import intake

    imap_account.deliver(suspicious_forms()[0])
    imap_account.deliver(suspicious_forms()[1])
    real = intake.parse_report
    calls = iter(range(10))

    def explode_once(raw: bytes):
        if next(calls) == 0:
            raise ValueError("unexpected structure")
        return real(raw)

    monkeypatch.setattr(intake, "parse_report", explode_once)
    result = polling.poll(mailbox)
    assert (result.processed, result.failed) == (1, 1)
    failed = Report.objects.get(processing=Processing.FAILED)
    assert failed.error == "ValueError: unexpected structure"
    # Kept, and not taken again at the next poll.
    assert polling.poll(mailbox).processed == 0
    assert Report.objects.count() == 2


# --- Credentials and connection checks --------------------------------------------------------


def test_the_password_is_stored_encrypted_only(mailbox, imap_account, caplog):
    with caplog.at_level(logging.DEBUG):
        polling.test_connection(mailbox)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            assert imap_account.password not in repr(cursor.fetchall()), table
    assert imap_account.password not in caplog.text
    assert mailbox.password_encrypted


def test_connection_check_says_what_is_wrong(
    mailbox, imap_account, imap_server, monkeypatch, settings
):
    assert polling.test_connection(mailbox) == "Connected: 0 message(s) in “INBOX”."
    with pytest.raises(polling.MailboxError, match="refused the user name or the password"):
        polling.test_connection(mailbox, password="wrong")
    mailbox.folder = "Nulle-part"
    with pytest.raises(polling.MailboxError, match="“Nulle-part” does not exist"):
        polling.test_connection(mailbox)
    mailbox.folder = "INBOX"
    mailbox.port = polling_free_port()
    settings.REPORT_MAILBOX_EXTRA_PORTS = [mailbox.port]
    with pytest.raises(polling.MailboxError, match="Connection refused"):
        polling.test_connection(mailbox)
    mailbox.host = "imap.invalid"
    with pytest.raises(polling.MailboxError, match=r"“imap\.invalid” cannot be found"):
        polling.test_connection(mailbox)


def polling_free_port() -> int:
    from hygie.testing.smtp import free_port

    return free_port()


def test_tls_connections_verify_the_certificate(mailbox, imap_account, imap_server, monkeypatch):
    mailbox.security = Security.SSL
    mailbox.port = imap_server.tls_port
    # Without trusting the test certificate, the connection is refused...
    with pytest.raises(polling.MailboxError, match="Invalid certificate"):
        polling.test_connection(mailbox)
    # ...and with it, TLS from the start and STARTTLS both work.
    monkeypatch.setattr(polling, "ssl_context", imap_server.tls_context)
    assert polling.test_connection(mailbox).startswith("Connected")
    mailbox.security = Security.STARTTLS
    mailbox.port = imap_server.port
    assert polling.test_connection(mailbox).startswith("Connected")


# --- Automatic answers: loop safety -------------------------------------------------------------


def test_machines_get_no_answer_and_a_sender_at_most_five_a_day(mailbox, imap_account):
    auto = EmailMessage()
    auto["From"] = corpus.REPORTER
    auto["Subject"] = "Absence"
    auto["Auto-Submitted"] = "auto-replied"
    auto.set_content("Je suis absent.")
    imap_account.deliver(auto.as_bytes())
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mx.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("failed")
    imap_account.deliver(bounce.as_bytes())
    polling.poll(mailbox)
    assert mail.outbox == []
    notes = set(Report.objects.values_list("reply_status", "reply_note"))
    assert notes == {(ReplyStatus.SKIPPED, "auto-submitted"), (ReplyStatus.SKIPPED, "robot sender")}
    for _ in range(7):
        imap_account.deliver(suspicious_forms()[2])
    polling.poll(mailbox)
    assert len(mail.outbox) == 5
    assert Report.objects.filter(reply_note="reply limit reached").count() == 2
    assert all(m.extra_headers["Auto-Submitted"] == "auto-replied" for m in mail.outbox)
