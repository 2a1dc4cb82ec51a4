"""Writes on incident reports: sending one (public), and the desk's actions (audited).

Every desk action is recorded in the audit log with an ``incident.*`` action. The log holds
what changed, never the text of a note or a message: those stay on the report.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.incidents import selectors
from hygie.incidents.content import Outcome
from hygie.incidents.models import (
    CallbackSlot,
    IncidentReport,
    ReportNote,
    ReportStatus,
    Severity,
    new_reference,
)
from hygie.lib import events
from hygie.lib.dates import months_before
from hygie.lib.emails import absolute_url, build_email

logger = logging.getLogger(__name__)
REFERENCE_ATTEMPTS = 5


class SlotUnavailable(ValidationError):
    """The chosen callback slot is full or already started."""


@transaction.atomic
def report_submit(
    *,
    organisation: Organisation,
    outcome: Outcome,
    path: str,
    discovered_at: dt.datetime,
    name: str,
    practice: str = "",
    departement: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    slot: CallbackSlot | None = None,
    language: str = "fr",
) -> IncidentReport:
    """Store a report the person chose to send, and tell the organisation's handlers.

    The slot row is locked while its bookings are counted, so two people cannot take the
    last place at once (PostgreSQL: FOR UPDATE; SQLite: one writer at a time).
    """
    if slot is not None:
        locked = CallbackSlot.objects.select_for_update().filter(
            pk=slot.pk, organisation=organisation
        )
        slot = locked.first()
        if (
            slot is None
            or slot.starts_at <= timezone.now()
            or slot.bookings.count() >= slot.capacity
        ):
            raise SlotUnavailable(
                _("This time slot is no longer available. Choose another one."), code="slot_full"
            )
    now = timezone.now()
    report = IncidentReport(
        organisation=organisation,
        created_at=now,
        consented_at=now,
        language=language,
        discovered_at=discovered_at,
        path=path,
        outcome_id=outcome.id,
        outcome_title=outcome.title.in_language(organisation.language)[:300],
        severity=outcome.severity,
        name=name,
        practice=practice,
        departement=departement,
        email=email,
        phone=phone,
        message=message,
        wants_callback=slot is not None,
        slot=slot,
    )
    for attempt in range(REFERENCE_ATTEMPTS):
        report.reference = new_reference()
        try:
            with transaction.atomic():
                report.save()
            break
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
            report.pk = None
    events.publish(
        events.INCIDENT_SUBMITTED,
        organisation_id=organisation.pk,
        incident_id=report.pk,
        severity=report.severity,
        wants_callback=report.wants_callback,
    )
    if slot is not None:
        events.publish(
            events.CALLBACK_REQUESTED,
            organisation_id=organisation.pk,
            incident_id=report.pk,
            slot_id=slot.pk,
        )
    _notify_handlers(report, outcome)
    return report


def _notify_handlers(report: IncidentReport, outcome: Outcome) -> None:
    """Email each incident handler once the report is committed.

    The message says that a report arrived, how urgent it is and when a callback was booked,
    with a link to the desk; who reported and what they wrote are read in the console, behind
    sign-in and 2FA, never sent by email.

    The messages are built with `hygie.lib.emails.build_email` (the template triple of
    `send_email_on_commit`) but sent by our own robust after-commit callback: the person who
    reported must not get an error page because a mail server is down (the report is stored
    and in the desk whatever happens to the notice), and a retry would duplicate the report.
    Each failure is logged and the other handlers still get theirs.
    """
    organisation = report.organisation
    recipients = list(selectors.incident_handlers(organisation).values_list("email", flat=True))
    if not recipients:
        logger.warning(
            "Incident report %s: organisation %s has no incident handler to notify.",
            report.reference,
            organisation.pk,
        )
        return
    language = organisation.language
    deadlines = [d for d in selectors.deadlines_of(report) if d.due is not None]
    first_due = min(deadlines, key=lambda d: d.due or report.discovered_at, default=None)
    context = {
        "organisation": organisation,
        "report": report,
        "outcome_title": outcome.title.in_language(language),
        "severity": Severity(report.severity).label,  # lazy: in the email's language
        "first_due": first_due.due if first_due else None,
        "first_due_title": first_due.obligation.title.in_language(language) if first_due else "",
        "report_url": absolute_url(reverse("desk:report", args=[report.pk])),
    }
    notices = [
        build_email("incident_report", to=[recipient], context=context, language=language)
        for recipient in recipients
    ]
    transaction.on_commit(partial(_send_notices, report.reference, notices), robust=True)


def _send_notices(reference: str, notices: list[EmailMultiAlternatives]) -> None:
    for notice in notices:
        try:
            notice.send(fail_silently=False)
        except Exception:
            logger.exception(
                "Incident report %s: the notice to a handler could not be sent.", reference
            )


# --- The desk ------------------------------------------------------------------------


@transaction.atomic
def report_change_status(*, report: IncidentReport, status: str, actor: Actor) -> IncidentReport:
    """Any status to any other (the desk may reopen a closed report); the same status is no
    change. Audited, and announced to the organisation's webhooks."""
    if status not in ReportStatus.values:
        raise ValidationError(_("Unknown status."))
    previous = report.status
    if status == previous:
        return report
    report.status = status
    report.closed_at = timezone.now() if status == ReportStatus.CLOSED else None
    report.save(update_fields=["status", "closed_at"])
    audit_record(
        action="incident.status_changed",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"from": previous, "to": status},
    )
    events.publish(
        events.INCIDENT_STATUS_CHANGED,
        organisation_id=report.organisation_id,
        incident_id=report.pk,
        previous_status=previous,
        status=status,
    )
    return report


@transaction.atomic
def report_assign(
    *,
    report: IncidentReport,
    assignee: User | None,
    actor: Actor,
) -> IncidentReport:
    """Give the report to a handler of its organisation (None: to nobody)."""
    if (
        assignee is not None
        and not selectors.incident_handlers(report.organisation).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(_("This person cannot handle incidents in this organisation."))
    previous = report.assignee
    if previous == assignee:
        return report
    report.assignee = assignee
    report.save(update_fields=["assignee"])
    audit_record(
        action="incident.assigned",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={
            "from": previous.email if previous is not None else None,
            "to": assignee.email if assignee is not None else None,
        },
    )
    return report


@transaction.atomic
def report_add_note(*, report: IncidentReport, text: str, actor: Actor) -> ReportNote:
    note = ReportNote.objects.create(report=report, author=actor.user, text=text)
    audit_record(
        action="incident.note_added",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"note": note.pk},
    )
    return note


@transaction.atomic
def slot_create(
    *,
    organisation: Organisation,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    actor: Actor,
) -> CallbackSlot:
    slot = CallbackSlot.objects.create(
        organisation=organisation,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_by=actor.user,
    )
    audit_record(
        action="incident.slot_created",
        actor=actor,
        organisation=organisation,
        target=slot,
        details={
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "capacity": capacity,
        },
    )
    return slot


@transaction.atomic
def slot_delete(*, slot: CallbackSlot, actor: Actor) -> None:
    """Delete a slot nobody booked; a booked one is refused (people were promised a call)."""
    locked = CallbackSlot.objects.select_for_update().get(pk=slot.pk)
    if locked.bookings.exists():
        raise ValidationError(_("People booked this slot: it cannot be deleted."))
    audit_record(
        action="incident.slot_deleted",
        actor=actor,
        organisation=locked.organisation,
        target=locked,
        details={"starts_at": locked.starts_at.isoformat(), "ends_at": locked.ends_at.isoformat()},
    )
    locked.delete()


# --- Personal data: erasure on request, retention, export --------------------------------


@transaction.atomic
def report_export_personal_data(*, report: IncidentReport, actor: Actor) -> dict[str, object]:
    audit_record(
        action="incident.personal_data_exported",
        actor=actor,
        organisation=report.organisation,
        target=report,
    )
    return selectors.personal_data(report)


def _erase(report: IncidentReport, now: dt.datetime) -> None:
    report.name = ""
    report.practice = ""
    report.email = ""
    report.phone = ""
    report.message = ""
    report.wants_callback = False
    report.slot = None  # frees the place in the slot too
    report.anonymised_at = now
    report.save(
        update_fields=[
            "name",
            "practice",
            "email",
            "phone",
            "message",
            "wants_callback",
            "slot",
            "anonymised_at",
        ]
    )
    report.notes.all().delete()


@transaction.atomic
def report_erase_personal_data(*, report: IncidentReport, actor: Actor) -> IncidentReport:
    """Erase who sent the report and the desk's notes; keep the situation for the statistics."""
    if report.anonymised_at is not None:
        raise ValidationError(_("The personal data of this report was already erased."))
    _erase(report, timezone.now())
    audit_record(
        action="incident.personal_data_erased",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"reason": "request"},
    )
    return report


def reports_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Erase the personal data of reports closed longer ago than the organisation keeps them.

    Open reports are never touched: a case in hand keeps its contact details. Registered as a
    due-work source, so it runs on every scheduler tick; a read first keeps the tick cheap and
    two schedulers at once only redo the same idempotent erasure.
    """
    now = now or timezone.now()
    candidates = IncidentReport.objects.filter(
        status=ReportStatus.CLOSED,
        anonymised_at__isnull=True,
        closed_at__lt=months_before(now, 1),  # the shortest retention an organisation can set
    )
    if not candidates.exists():
        return 0
    erased = 0
    for organisation in Organisation.objects.filter(incident_reports__isnull=False).distinct():
        limit = months_before(now, organisation.retention_months)
        expired = IncidentReport.objects.filter(
            organisation=organisation,
            status=ReportStatus.CLOSED,
            closed_at__lt=limit,
            anonymised_at__isnull=True,
        )
        for report in expired:
            with transaction.atomic():
                _erase(report, now)
                audit_record(
                    action="incident.personal_data_erased",
                    actor=Actor.system(organisation),
                    organisation=organisation,
                    target=report,
                    details={"reason": "retention", "months": organisation.retention_months},
                )
            erased += 1
    return erased
