"""Answers to the reporter: the automatic kind reply, and the handler's answer.

Loop safety comes first: a message written by a machine (auto-replies, bounces,
mailing lists) never gets an automatic answer, our own answers say they are
automatic (RFC 3834 `Auto-Submitted: auto-replied`), and one address gets at most
`REPLY_LIMIT` automatic answers a day, whatever it sends.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.models import User
from hygie.delivery.headers import AUTO_REPLY, headers_checked, reply_headers
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingKind,
    MailingStatus,
    Priority,
    Variant,
)
from hygie.delivery.selectors import organisation_email
from hygie.delivery.services import mailing_announce
from hygie.lib.emails import absolute_url
from hygie.reporting.models import RELAY_REFUSED, ReplyStatus, Report

if TYPE_CHECKING:
    from hygie.phishing.reports import ReportedSimulation

logger = logging.getLogger(__name__)

REPLY_LIMIT = 5
REPLY_WINDOW = timedelta(hours=24)


def language_of(report: Report) -> str:
    person = report.person
    return "en" if person is not None and person.language == "en" else "fr"


def _send(report: Report, name: str, context: dict[str, object]) -> None:
    message = organisation_email(
        name,
        organisation=report.organisation,
        to=[report.reporter_email],
        context=context,
        language=language_of(report),
    )
    message.extra_headers.update(AUTO_REPLY)
    # Threaded under the reporter's message (nothing when its id is not plain).
    message.extra_headers.update(reply_headers(str(report.details.get("message_id", ""))))
    transaction.on_commit(partial(_send_auto_reply, report.pk, message), robust=True)


def _send_auto_reply(report_id: int, message: EmailMessage) -> None:
    """Send after commit; a relay that refuses it costs the reporter's thanks, not the
    report, and the console says so instead of "thanked"."""
    try:
        message.send(fail_silently=False)
    except Exception:
        logger.exception("Report %s: the automatic answer could not be sent.", report_id)
        Report.objects.filter(pk=report_id).update(
            reply_status=ReplyStatus.SKIPPED, reply_note=RELAY_REFUSED, replied_at=None
        )


def skip_reason(report: Report, auto_generated: str) -> str:
    if not report.reporter_email or "@" not in report.reporter_email:
        return "no sender address"
    if auto_generated:
        return auto_generated
    mailbox = report.mailbox
    own = {mailbox.address.lower(), mailbox.username.lower()} if mailbox else set()
    if report.reporter_email in own:
        return "our own address"
    recent = Report.objects.filter(
        reporter_email=report.reporter_email,
        reply_status=ReplyStatus.SENT,
        replied_at__gte=timezone.now() - REPLY_WINDOW,
    ).count()
    if recent >= REPLY_LIMIT:
        return "reply limit reached"
    return ""


def auto_reply(
    report: Report, *, simulation: ReportedSimulation | None, auto_generated: str
) -> None:
    """Thank the reporter (sent after commit), or record why nobody was answered."""
    reason = skip_reason(report, auto_generated)
    if reason:
        report.reply_status, report.reply_note = ReplyStatus.SKIPPED, reason[:200]
        report.save(update_fields=["reply_status", "reply_note"])
        return
    organisation = report.organisation
    context: dict[str, object] = {
        "organisation": organisation,
        "org_name": organisation.brand_name or organisation.name,
        "person": report.person,
        "subject": report.subject,
        "answers_reports": report.mailbox.answers_reports if report.mailbox else True,
        "assistant_url": absolute_url(
            reverse("incidents:org_start", kwargs={"organisation": organisation.slug})
        ),
    }
    if simulation is not None:
        minutes = (
            int(simulation.time_to_report.total_seconds() // 60)
            if simulation.time_to_report is not None
            else None
        )
        context |= {
            "red_flags": simulation.red_flags,
            "before_click": simulation.before_click,
            "minutes": minutes,
            "hours": minutes // 60 if minutes is not None else None,
        }
        _send(report, "report_simulation", context)
    else:
        _send(report, "report_received", context)
    report.reply_status, report.replied_at = ReplyStatus.SENT, timezone.now()
    report.save(update_fields=["reply_status", "replied_at"])


ANSWERS = ("phishing", "spam", "legitimate")


def handler_answer(report: Report, *, answer: str, note: str) -> None:
    """Send the handler's verdict, from a template, with an optional personal note, at
    once: called last in the handler's transaction, a relay that refuses it raises and
    undoes the rest, and the handler is told (hygie.reporting.services.report_answer)."""
    if answer not in ANSWERS:
        raise ValueError(answer)
    message = organisation_email(
        f"report_answer_{answer}",
        organisation=report.organisation,
        to=[report.reporter_email],
        context={
            "organisation": report.organisation,
            "org_name": report.organisation.brand_name or report.organisation.name,
            "subject": report.subject,
            "note": note,
        },
        language=language_of(report),
    )
    # Written by a person (not Auto-Submitted), threaded under the reporter's message.
    message.extra_headers.update(reply_headers(str(report.details.get("message_id", ""))))
    message.send(fail_silently=False)


VERDICTS = ("phishing", "legitimate")


def _verdict_content(
    report: Report, *, verdict: str, alerted: int | None, language: str
) -> dict[str, str]:
    """The verdict message in the reporter's language, as a mailing variant's content."""
    organisation = report.organisation
    # The reported subject is the attacker's text: no brace of it may read as a
    # placeholder when the engine fills the message in.
    subject = report.subject.replace("{", "(").replace("}", ")")
    context = {
        "organisation": organisation,
        "org_name": (organisation.brand_name or organisation.name).replace("{", "("),
        "subject": subject,
        "alerted": alerted,
    }
    name = f"emails/report_verdict_{verdict}"
    with translation.override(language):
        return {
            "subject": " ".join(render_to_string(f"{name}-subject.txt", context).split())[:300],
            "text_body": render_to_string(f"{name}-body.txt", context).strip(),
            "html_body": render_to_string(f"{name}-body.html", context),
        }


def verdicts_queue(
    reports: list[Report],
    *,
    verdict: str,
    alerted: int | None,
    label: str,
    actor: User | None,
) -> Mailing | None:
    """Tell each reporter of `reports` (one report per reporter) what the lure was.

    The messages are deliveries of one mailing, created in the caller's transaction:
    when the verdict is recorded, its messages exist, and the workers send each one
    once, however often they run or crash. Sent at once, at any hour, ahead of bulk
    sends; who received it is private (they are the reporters). Like the other
    answers, each says it is automatic (RFC 3834) and threads under the message the
    reporter forwarded; its typography is that of the reporter's language."""
    if verdict not in VERDICTS:
        raise ValueError(verdict)
    if not reports:
        return None
    now = timezone.now()
    organisation = reports[0].organisation
    mailing = Mailing.objects.create(
        organisation=organisation,
        name=(_("Verdict to reporters: %(name)s") % {"name": label})[:200],
        kind=MailingKind.NOTICE,
        channel=Channel.EMAIL,
        status=MailingStatus.SCHEDULED,
        unsubscribe_link=False,
        recipients_private=True,
        priority=Priority.ALERT,
        window_days=[0, 1, 2, 3, 4, 5, 6],
        window_start=time(0, 0),
        window_end=time(23, 59),
        send_start=now,
        launched_at=now,
        created_by=actor,
        headers=headers_checked(AUTO_REPLY),
    )
    variants: dict[tuple[str, str], Variant] = {}
    rows = []
    for report in reports:
        language = language_of(report)
        key = (language, report.subject)
        if key not in variants:
            variants[key] = Variant.objects.create(
                mailing=mailing,
                key=f"v{len(variants) + 1}",
                language=language,
                **_verdict_content(report, verdict=verdict, alerted=alerted, language=language),
            )
        person = report.person
        same = person is not None and (person.email or "").lower() == report.reporter_email.lower()
        rows.append(
            Delivery(
                mailing=mailing,
                organisation=organisation,
                # The person only when the reporter is that person (a colleague who
                # forwarded a member's message is not that member).
                person=person if same else None,
                variant=variants[key],
                channel=Channel.EMAIL,
                recipient=report.reporter_email,
                status=DeliveryStatus.SCHEDULED,
                scheduled_at=now,
                next_attempt_at=now,
                headers=headers_checked(reply_headers(str(report.details.get("message_id", "")))),
            )
        )
    Delivery.objects.bulk_create(rows)
    mailing_announce(mailing=mailing, deliveries=len(rows))
    return mailing
