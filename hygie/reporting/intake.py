"""Turning one received message into one report: parse, recognise, record, answer.

`ingest` is the exactly-once point: the report row is inserted under the unique
(mailbox, UIDVALIDITY, UID) constraint in the same transaction as everything the
message causes. A second worker that fetched the same message fails that insert and
skips it; a worker that dies half-way leaves nothing behind, so the message is taken
again on the next poll. Parsing problems never escape: the report is kept with the
reason it could not be read.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.audience.models import Person
from hygie.lib import events
from hygie.phishing.reports import record_report, simulation_delivery_in
from hygie.reporting import replies
from hygie.reporting.forward_dates import plausible_sent_at
from hygie.reporting.models import Channel, Classification, Kind, Mailbox, Processing, Report
from hygie.reporting.parsing import (
    ParsedReport,
    domain_of,
    extract_urls,
    original_recipient,
    parse_report,
    reported_sender,
    token_haystack,
)

logger = logging.getLogger(__name__)

# The raw message kept for the triage page; larger messages are cut (and said so).
RAW_LIMIT = 2 * 1024 * 1024


def person_for(organisation: Organisation, address: str) -> Person | None:
    if not address:
        return None
    return Person.objects.filter(organisation=organisation, email__iexact=address).first()


def details_of(parsed: ParsedReport) -> dict[str, object]:
    """What the triage page shows, kept as data (the raw message is not re-parsed)."""
    original = parsed.original
    return {
        "reporter_name": parsed.reporter_name[:200],
        "outer_subject": parsed.subject,
        "original_date": original.date[:200],
        "headers": [[name, value] for name, value in original.headers[:100]],
        "text": original.text[:100_000],
        "html": original.html[:200_000],
        "attachments": [asdict(a) for a in parsed.attachments[:100]],
        "urls": parsed.urls,
        "authentication": parsed.authentication,
        "problems": parsed.problems,
        "auto_generated": parsed.auto_generated,
        "message_id": parsed.message_id[:300],
    }


def _apply(report: Report, parsed: ParsedReport) -> None:
    organisation = report.organisation
    report.reporter_email = parsed.reporter
    # The member the lure was addressed to is credited, even when a colleague or the
    # practice's secretary forwarded it; the forwarder is credited otherwise.
    report.person = person_for(organisation, original_recipient(parsed)) or person_for(
        organisation, parsed.reporter
    )
    report.original_sent_at = plausible_sent_at(
        parsed.original.date, received_at=report.received_at
    )
    report.subject = (parsed.original.subject or parsed.subject)[:300]
    report.original_from = parsed.original.sender[:254]
    sender = reported_sender(parsed)
    report.original_domain = sender.rsplit("@", 1)[1][:253] if sender else ""
    report.forward_form = parsed.form
    report.domains = parsed.domains[:50]
    report.details = details_of(parsed)
    delivery = simulation_delivery_in(
        token_haystack(parsed.search_text), organisation_id=organisation.pk
    )
    simulation = None
    if delivery is not None:
        simulation = record_report(delivery=delivery, now=report.received_at)
        report.kind = Kind.SIMULATION
        report.delivery = delivery
        report.classification = Classification.SIMULATION
        # The person who received the simulation is the reporter, whatever address
        # they forwarded from.
        report.person = report.person or delivery.person
    report.save()
    _group(report)
    replies.auto_reply(report, simulation=simulation, auto_generated=parsed.auto_generated)


def _group(report: Report) -> None:
    """A real report joins its lure's group; if staff already said what the lure
    is, the reporter is told at once."""
    # Loaded here: services import the delivery app, which intake does not need.
    from hygie.reporting import grouping, services

    if grouping.report_group_assign(report=report) is not None:
        services.report_share_group_verdict(report=report)


def _announce(report: Report) -> None:
    events.publish(
        events.REPORT_RECEIVED,
        organisation_id=report.organisation_id,
        report_id=report.pk,
        kind=report.kind,
        channel=report.channel,
        group_id=report.group_id,
    )


def ingest(
    *,
    mailbox: Mailbox,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    size: int,
) -> Report | None:
    """Process one message of the mailbox; None when another worker already did."""
    truncated = size > len(raw) or len(raw) > RAW_LIMIT
    kept = raw[:RAW_LIMIT]
    try:
        with transaction.atomic():
            report = Report.objects.create(
                organisation_id=mailbox.organisation_id,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                raw=kept,
                size=size,
                truncated=truncated,
            )
            try:
                with transaction.atomic():
                    _apply(report, parse_report(kept))
            except Exception as exc:
                logger.warning(
                    "report_unreadable", extra={"report": report.pk, "error": type(exc).__name__}
                )
                report.processing = Processing.FAILED
                report.error = f"{type(exc).__name__}: {exc}"[:500]
                report.save(update_fields=["processing", "error"])
            _announce(report)
    except IntegrityError:
        return None
    return report


def ingest_text(*, organisation: Organisation, text: str, reporter: str = "") -> Report:
    """A report typed or pasted by a person (an SMS they received): no mailbox."""
    text = text.replace("\x00", "")
    with transaction.atomic():
        report = Report.objects.create(
            organisation=organisation,
            channel=Channel.SMS,
            raw=text.encode()[:RAW_LIMIT],
            size=len(text.encode()),
            received_at=timezone.now(),
            reporter_email=reporter,
            subject=" ".join(text.split())[:80],
            details={"text": text[:100_000], "urls": [], "headers": []},
        )
        urls = extract_urls([text], [])
        report.details["urls"] = urls
        report.domains = list(dict.fromkeys(d for d in map(domain_of, urls) if d))[:50]
        delivery = simulation_delivery_in(token_haystack(text), organisation_id=organisation.pk)
        if delivery is not None:
            record_report(delivery=delivery, now=report.received_at)
            report.kind = Kind.SIMULATION
            report.delivery = delivery
            report.person = delivery.person
            report.classification = Classification.SIMULATION
        report.save()
        _group(report)
        _announce(report)
    return report
