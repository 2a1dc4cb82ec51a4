"""Staff actions on the report mailbox and its reports; each is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.delivery.models import Mailing
from hygie.delivery.services import mailing_save
from hygie.reporting import replies
from hygie.reporting.models import Classification, Kind, Mailbox, Report

MAILBOX_FIELDS = (
    "address",
    "host",
    "port",
    "security",
    "username",
    "folder",
    "processed_folder",
    "poll_minutes",
    "enabled",
    "answers_reports",
)


@transaction.atomic
def mailbox_save(
    *,
    organisation: Organisation,
    actor: User,
    fields: dict[str, object],
    password: str = "",
    request: HttpRequest | None = None,
) -> Mailbox:
    """Save the configuration; an empty password keeps the stored one."""
    # Loaded here, not at import: the console's modules load in every process.
    from hygie.reporting.crypto import encrypt

    mailbox = Mailbox.objects.filter(organisation=organisation).first() or Mailbox(
        organisation=organisation
    )
    for name in MAILBOX_FIELDS:
        if name in fields:
            setattr(mailbox, name, fields[name])
    if password:
        mailbox.password_encrypted = encrypt(password)
    if mailbox.enabled and not mailbox.password_encrypted:
        raise ValidationError({"password": _("Enter the password before enabling the mailbox.")})
    mailbox.full_clean(exclude=["organisation", "password_encrypted"])
    # A changed configuration is polled at once rather than at the old interval.
    mailbox.next_poll_at = timezone.now()
    mailbox.save()
    audit_record(
        action="report_mailbox.saved",
        actor=actor,
        organisation=organisation,
        target=mailbox,
        # What changed, never the password itself.
        details={
            "fields": sorted(n for n in MAILBOX_FIELDS if n in fields),
            "password_changed": bool(password),
        },
        request=request,
    )
    return mailbox


@transaction.atomic
def report_classify(
    *,
    report: Report,
    actor: User,
    classification: str,
    request: HttpRequest | None = None,
) -> None:
    if classification not in Classification.values or classification == Classification.NEW:
        raise ValidationError(_("Choose phishing, spam, legitimate or simulation."))
    previous = report.classification
    report.classification = classification
    report.classified_by = actor
    report.classified_at = timezone.now()
    report.save(update_fields=["classification", "classified_by", "classified_at"])
    audit_record(
        action="report.classified",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"from": previous, "to": classification},
        request=request,
    )


@transaction.atomic
def report_answer(
    *,
    report: Report,
    actor: User,
    answer: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Tell the reporter what the message was, from a template."""
    if answer not in replies.ANSWERS:
        raise ValidationError(_("Choose the answer to send."))
    if not report.reporter_email:
        raise ValidationError(_("This report has no address to answer."))
    replies.handler_answer(report, answer=answer, note=note.strip()[:2000])
    audit_record(
        action="report.answered",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"answer": answer},
        request=request,
    )


@transaction.atomic
def alert_create(
    *,
    report: Report,
    actor: User,
    request: HttpRequest | None = None,
) -> Mailing:
    """Turn a confirmed phishing wave into a draft information message to everyone.

    The draft goes through the mailings' own editing and launch (segment, window,
    review), so nothing is sent from here.
    """
    if report.classification != Classification.PHISHING or report.kind == Kind.SIMULATION:
        raise ValidationError(_("Only a report classified as phishing can become an alert."))
    # Reported text is the attacker's: braces would read as placeholders in a mailing.
    subject = (report.subject or _("a suspicious message")).replace("{", "(").replace("}", ")")
    domains = ", ".join(report.domains[:5]).replace("{", "(").replace("}", ")")
    text = _(
        "Hello,\n\nSeveral of you received a fraudulent message: “%(subject)s”%(from)s.\n\n"
        "Do not click on its links, do not open its attachments and do not reply: delete it. "
        "If you already clicked or typed a password, change that password at once and tell us.\n"
        "\nThank you to those who reported it: that is what allowed us to warn you.\n"
    ) % {
        "subject": subject,
        "from": _(" (sites: %(domains)s)") % {"domains": domains} if domains else "",
    }
    mailing = mailing_save(
        organisation=report.organisation,
        actor=actor,
        fields={"name": (_("Alert: %(subject)s") % {"subject": subject})[:200]},
        content={
            "subject": _("Alert: fraudulent message in circulation")[:300],
            "text_body": text,
            "html_body": "",
        },
        request=request,
    )
    audit_record(
        action="report.alert_drafted",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"mailing": mailing.pk},
        request=request,
    )
    return mailing
