"""Reminders to the desk when an obligation of an open report is nearly due.

The queue already shows a badge; a badge is only seen by someone who opens the console, and
a 72-hour notification deadline can pass over a weekend. So, once per obligation, the report's
assignee (or, with nobody assigned, every incident handler) gets an email a few hours before
the deadline. Like the report notice, the email names the situation and the deadline, never
the person.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hygie.incidents import selectors
from hygie.incidents.content import Text
from hygie.incidents.models import DeadlineReminder, IncidentReport, ReportStatus
from hygie.lib.emails import absolute_url, build_email

logger = logging.getLogger(__name__)

REMIND_BEFORE = dt.timedelta(hours=12)
# Obligations have deadlines of days at most; reports older than this have none left.
LOOKBACK = dt.timedelta(days=31)


def _recipients(report: IncidentReport) -> list[str]:
    if report.assignee is not None and report.assignee.is_active:
        return [report.assignee.email]
    return list(selectors.incident_handlers(report.organisation).values_list("email", flat=True))


def remind_near_deadlines(now: dt.datetime | None = None) -> int:
    """Send the reminders that are due; return how many were sent. Safe to run concurrently."""
    now = now or timezone.now()
    reports = (
        IncidentReport.objects.exclude(status=ReportStatus.CLOSED)
        .filter(discovered_at__gte=now - LOOKBACK, anonymised_at__isnull=True)
        .select_related("organisation", "assignee")
    )
    sent = 0
    for report in reports:
        for deadline in selectors.deadlines_of(report):
            due = deadline.due
            if due is None or not now < due <= now + REMIND_BEFORE:
                continue
            if _remind(report, deadline.obligation.id, deadline.obligation.title, due):
                sent += 1
    return sent


def _remind(report: IncidentReport, obligation_id: str, title: Text, due: dt.datetime) -> bool:
    recipients = _recipients(report)
    if not recipients:
        return False
    language = report.organisation.language
    message = build_email(
        "incident_deadline",
        to=recipients,
        context={
            "report": report,
            "obligation_title": title.in_language(language),
            "due": due,
            "report_url": absolute_url(reverse("desk:report", args=[report.pk])),
        },
        language=language,
    )
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(report=report, obligation_id=obligation_id, due_at=due)
            # Robust: a mail server that is down must not stop the scheduler's other work.
            transaction.on_commit(lambda: _send(message, report, obligation_id), robust=True)
    except IntegrityError:  # another scheduler sent it
        return False
    return True


def _send(message: EmailMultiAlternatives, report: IncidentReport, obligation_id: str) -> None:
    try:
        message.send(fail_silently=False)
    except Exception:
        # The record said "sent": without it, the next pass of the scheduler tries again
        # (a relay that is down, or not started yet, must not cost the reminder).
        logger.exception(
            "Incident report %s: the deadline reminder could not be sent; it will be tried again.",
            report.reference,
        )
        DeadlineReminder.objects.filter(report=report, obligation_id=obligation_id).delete()
