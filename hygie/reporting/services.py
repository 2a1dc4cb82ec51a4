"""Staff actions on the report mailbox and its reports; each is audited."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.audience.selectors import segment_people
from hygie.delivery.models import Channel as DeliveryChannel
from hygie.delivery.models import Mailing, Priority
from hygie.delivery.services import mailing_launch, mailing_save
from hygie.lib import events
from hygie.phishing import services as phishing_services
from hygie.phishing.models import Scenario
from hygie.reporting import exercise, grouping, replies, selectors
from hygie.reporting.models import (
    Classification,
    GroupStatus,
    Kind,
    LureGroup,
    Mailbox,
    Report,
)
from hygie.reporting.parsing import attached_original

logger = logging.getLogger(__name__)

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
    actor: Actor,
    fields: dict[str, object],
    password: str = "",
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
    )
    return mailbox


@transaction.atomic
def report_classify(
    *,
    report: Report,
    actor: Actor,
    classification: str,
) -> None:
    if classification not in Classification.values or classification == Classification.NEW:
        raise ValidationError(_("Choose phishing, spam, legitimate or simulation."))
    previous = report.classification
    report.classification = classification
    report.classified_by = actor.user
    report.classified_at = timezone.now()
    report.save(update_fields=["classification", "classified_by", "classified_at"])
    audit_record(
        action="report.classified",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"from": previous, "to": classification},
    )


@transaction.atomic
def report_answer(
    *,
    report: Report,
    actor: Actor,
    answer: str,
    note: str = "",
) -> None:
    """Tell the reporter what the message was, from a template."""
    if answer not in replies.ANSWERS:
        raise ValidationError(_("Choose the answer to send."))
    if not report.reporter_email:
        raise ValidationError(_("This report has no address to answer."))
    audit_record(
        action="report.answered",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"answer": answer},
    )
    # Last: a relay that refuses the answer undoes the record above.
    try:
        replies.handler_answer(report, answer=answer, note=note.strip()[:2000])
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("Report %s: the answer could not be sent: %s", report.pk, exc)
        raise ValidationError(
            _("The mail server did not accept the answer: nothing was sent. Try again later.")
        ) from exc


@transaction.atomic
def alert_create(
    *,
    report: Report,
    actor: Actor,
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
    )
    audit_record(
        action="report.alert_drafted",
        actor=actor,
        organisation=report.organisation,
        target=report,
        details={"mailing": mailing.pk},
    )
    return mailing


# --- Lure groups ("in circulation") ----------------------------------------------------


@transaction.atomic
def group_rename(*, group: LureGroup, actor: Actor, name: str) -> None:
    name = " ".join(name.split())
    if len(name) > 200:
        raise ValidationError(_("The name is too long (200 characters at most)."))
    group.name, group.pinned = name, True
    group.save(update_fields=["name", "pinned"])
    audit_record(
        action="lure_group.renamed",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"name": name},
    )


@transaction.atomic
def group_merge(
    *,
    group: LureGroup,
    others: list[LureGroup],
    actor: Actor,
) -> LureGroup:
    """Move the reports of `others` into `group`, which keeps its name and verdict."""
    others = [o for o in others if o.pk != group.pk]
    if not others:
        raise ValidationError(_("Choose at least one other group to merge into this one."))
    if any(o.organisation_id != group.organisation_id for o in others):
        raise ValidationError(_("These groups cannot be merged."))
    ids = [o.pk for o in others]
    Report.objects.filter(group_id__in=ids).update(group=group)
    LureGroup.objects.filter(pk__in=ids).delete()
    group.pinned = True
    group.save(update_fields=["pinned"])
    grouping.group_refresh([group.pk])
    audit_record(
        action="lure_group.merged",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"merged": ids},
    )
    if group.status != GroupStatus.OPEN:
        _classify_reports(group, classified_by=actor.user)
    group.refresh_from_db()
    return group


@transaction.atomic
def group_split(
    *,
    group: LureGroup,
    report_ids: list[int],
    actor: Actor,
) -> LureGroup:
    """Move the chosen reports of `group` into a new group of their own."""
    chosen = list(group.reports.filter(pk__in=report_ids).values_list("pk", flat=True))
    if not chosen:
        raise ValidationError(_("Choose the reports to move to a new group."))
    if len(chosen) == group.reports.count():
        raise ValidationError(_("Leave at least one report in this group."))
    new = LureGroup.objects.create(organisation_id=group.organisation_id, pinned=True)
    Report.objects.filter(pk__in=chosen).update(group=new)
    group.pinned = True
    group.save(update_fields=["pinned"])
    grouping.group_refresh([group.pk, new.pk])
    audit_record(
        action="lure_group.split",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"moved": chosen, "new_group": new.pk},
    )
    new.refresh_from_db()
    return new


def _classify_reports(group: LureGroup, *, classified_by: User | None) -> int:
    """Give the group's verdict to its reports and to each reporter, once.

    Returns the number of reporters told. A reporter who reported the lure twice
    gets one message; one who was already told is not told again.
    """
    classification = (
        Classification.PHISHING
        if group.status == GroupStatus.PHISHING
        else Classification.LEGITIMATE
    )
    now = timezone.now()
    reports = (
        Report.objects.select_for_update(of=("self",)).filter(group=group).order_by("received_at")
    )
    reports.update(classification=classification, classified_by=classified_by, classified_at=now)
    pending = list(
        reports.filter(verdict_sent_at__isnull=True)
        .select_related("organisation", "person")
        .defer("raw")
    )
    if not pending:
        return 0
    told_before = {
        address.lower()
        for address in Report.objects.filter(
            group=group, verdict_sent_at__isnull=False
        ).values_list("reporter_email", flat=True)
    }
    alerted = selectors.alerted_count(group) if group.status == GroupStatus.PHISHING else None
    told: dict[str, Report] = {}
    for report in pending:
        address = report.reporter_email.lower()
        if (
            address
            and "@" in address
            and address not in told
            and address not in told_before
            and not report.details.get("auto_generated")
        ):
            told[address] = report
    # Queued in this transaction: recorded verdict and its messages commit together.
    replies.verdicts_queue(
        list(told.values()),
        verdict=str(group.status),
        alerted=alerted,
        label=group.name or pending[0].subject or f"#{group.pk}",
        actor=classified_by,
    )
    reports.filter(pk__in=[r.pk for r in pending]).update(verdict_sent_at=now)
    return len(told)


@transaction.atomic
def group_classify(
    *,
    group: LureGroup,
    actor: Actor,
    status: str,
) -> int:
    """Say what the lure is; every reporter of the group is told, once. Returns how
    many reporters were told now."""
    if status not in (GroupStatus.PHISHING, GroupStatus.LEGITIMATE):
        raise ValidationError(_("Choose “fraud” or “legitimate”."))
    group = LureGroup.objects.select_for_update().get(pk=group.pk)
    previous = group.status
    group.status = status
    group.pinned = True
    group.classified_by, group.classified_at = actor.user, timezone.now()
    group.save(update_fields=["status", "pinned", "classified_by", "classified_at"])
    told = _classify_reports(group, classified_by=actor.user)
    audit_record(
        action="lure_group.classified",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"from": previous, "to": status, "reporters_told": told},
    )
    return told


def report_share_group_verdict(*, report: Report) -> None:
    """A report that joins a group already classified gets its verdict at once."""
    group = report.group
    if group is None or group.status == GroupStatus.OPEN:
        return
    _classify_reports(group, classified_by=group.classified_by)


@dataclass(frozen=True, slots=True)
class Alert:
    email: Mailing | None
    sms: Mailing | None
    recipients: int


def _alert_mailing(
    *,
    group: LureGroup,
    actor: Actor,
    channel: str,
    content: dict[str, str],
) -> Mailing:
    label = group.name or group.reports.values_list("subject", flat=True).first() or ""
    return mailing_save(
        organisation=group.organisation,
        actor=actor,
        fields={
            "name": (_("Alert: %(subject)s") % {"subject": label})[:200],
            "channel": channel,
            "priority": Priority.ALERT,
            # A warning cannot wait for office hours.
            "window_days": [0, 1, 2, 3, 4, 5, 6],
            "window_start": time(0, 0),
            "window_end": time(23, 59),
        },
        content=content,
    )


def group_alert_send(
    *,
    group: LureGroup,
    actor: Actor,
    segments: list[Segment],
    sms: bool = False,
) -> Alert:
    """Warn the members of `segments` about the lure, now, ahead of any bulk send.

    Creates and launches an email mailing (and an SMS one to those with a mobile
    number when `sms`), confirms the group as a fraud, and so tells its reporters,
    with the number of members warned.
    """
    if not segments:
        raise ValidationError(_("Choose at least one segment to warn."))
    if any(s.organisation_id != group.organisation_id for s in segments):
        raise ValidationError(_("Choose segments of your organisation."))
    if group.status == GroupStatus.LEGITIMATE:
        raise ValidationError(_("This group was found legitimate: there is nothing to warn about."))
    if group.alert_email_id:
        raise ValidationError(_("An alert was already sent for this group."))
    with transaction.atomic():
        people_ids = sorted(
            {
                pk
                for segment in segments
                for pk in segment_people(segment).values_list("pk", flat=True)
            }
        )
        if not people_ids:
            raise ValidationError(_("Nobody in these segments can receive it."))
        preview = selectors.alert_preview(group)
        email = _alert_mailing(
            group=group,
            actor=actor,
            channel=DeliveryChannel.EMAIL,
            content={"subject": preview["subject"], "text_body": preview["text"], "html_body": ""},
        )
        recipients = mailing_launch(mailing=email, actor=actor, people=people_ids)
        sms_mailing = None
        if sms:
            sms_mailing = _alert_mailing(
                group=group,
                actor=actor,
                channel=DeliveryChannel.SMS,
                content={"sms_body": preview["sms"]},
            )
            try:
                mailing_launch(mailing=sms_mailing, actor=actor, people=people_ids)
            except ValidationError:
                # Nobody with a mobile number: the email alert goes alone.
                sms_mailing.delete()
                sms_mailing = None
        LureGroup.objects.filter(pk=group.pk).update(alert_email=email, alert_sms=sms_mailing)
        group.alert_email, group.alert_sms = email, sms_mailing
        audit_record(
            action="lure_group.alerted",
            actor=actor,
            organisation=group.organisation,
            target=group,
            details={"mailing": email.pk, "sms": sms_mailing.pk if sms_mailing else None},
        )
        if group.status != GroupStatus.PHISHING:
            group_classify(group=group, actor=actor, status=GroupStatus.PHISHING)
        else:
            _classify_reports(group, classified_by=actor.user)
        events.publish(
            events.REPORT_GROUP_ALERTED,
            organisation_id=group.organisation_id,
            group_id=group.pk,
            mailing_id=email.pk,
            sms_mailing_id=sms_mailing.pk if sms_mailing else None,
            recipients=recipients,
        )
    return Alert(email=email, sms=sms_mailing, recipients=recipients)


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def group_export(*, group: LureGroup, actor: Actor, kind: str) -> Export:
    """The lure in a form the national services take for submission: the original
    message (.eml) or its links (one per line). Handed to staff, never sent."""
    reports = list(group.reports.order_by("received_at", "pk"))
    if not reports:
        raise ValidationError(_("This group has no report."))
    if kind == "eml":
        # A report forwarded as an attachment carries the original with its headers.
        for report in reports:
            original = attached_original(bytes(report.raw))
            if original:
                break
        else:
            original = bytes(reports[0].raw)
        if not original:
            raise ValidationError(_("The message of this group was not kept."))
        export = Export(f"leurre-{group.pk}.eml", "message/rfc822", original)
    elif kind == "urls":
        urls = list(dict.fromkeys(str(u) for r in reports for u in r.details.get("urls", [])))
        if not urls:
            raise ValidationError(_("No link was found in this group's messages."))
        export = Export(
            f"leurre-{group.pk}-liens.txt",
            "text/plain; charset=utf-8",
            ("\n".join(urls) + "\n").encode(),
        )
    else:
        raise ValidationError(_("Choose the message or the list of links."))
    audit_record(
        action="lure_group.exported",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"kind": kind},
    )
    return export


@transaction.atomic
def group_exercise_create(*, group: LureGroup, actor: Actor) -> Scenario:
    """Turn the lure into a draft simulation scenario (hygie.reporting.exercise): its
    brands made fictional, personal data removed, its red flags marked for review.
    Never usable before someone allowed to manage content publishes it."""
    group = LureGroup.objects.select_for_update().get(pk=group.pk)
    if group.exercise_id:
        raise ValidationError(_("This lure already became an exercise."))
    if group.status == GroupStatus.LEGITIMATE:
        raise ValidationError(_("This group was found legitimate: it is not a lure to train with."))
    scenario = phishing_services.scenario_draft_create(
        organisation=group.organisation,
        actor=actor,
        data=exercise.draft_from_group(group),
    )
    group.exercise = scenario
    group.save(update_fields=["exercise"])
    audit_record(
        action="lure_group.exercise_drafted",
        actor=actor,
        organisation=group.organisation,
        target=group,
        details={"scenario": scenario.pk},
    )
    return scenario
