"""Reads for the triage console: the queue, similar reports, statistics."""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.db.models import QuerySet
from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.delivery.models import DeliveryStatus
from hygie.phishing.models import SimulationResult
from hygie.reporting.models import Classification, Kind, Report

QUEUE_FILTERS = ("new", "phishing", "spam", "legitimate", "all")
DEFAULT_FILTER = "new"
SIMILAR_WINDOW = timedelta(days=30)
SIMILAR_SCAN = 500


def queue(organisation: Organisation, status: str) -> QuerySet[Report]:
    """Real reports (simulations are counted apart, not triaged)."""
    reports = Report.objects.filter(organisation=organisation, kind=Kind.SUSPICIOUS).select_related(
        "person"
    )
    if status != "all":
        reports = reports.filter(classification=status)
    return reports.defer("raw")


def queue_counts(organisation: Organisation) -> dict[str, int]:
    rows = Report.objects.filter(organisation=organisation, kind=Kind.SUSPICIOUS).values_list(
        "classification", flat=True
    )
    counts = dict.fromkeys(QUEUE_FILTERS, 0)
    for classification in rows:
        counts["all"] += 1
        if classification in counts:
            counts[classification] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Similar:
    report: Report
    reasons: list[str]


def _address(header: str) -> str:
    return parseaddr(header)[1].lower()


def similar(report: Report) -> list[Similar]:
    """Other recent reports of the same sender, subject or link domains: one wave."""
    candidates = (
        Report.objects.filter(
            organisation=report.organisation_id,
            kind=Kind.SUSPICIOUS,
            received_at__gte=report.received_at - SIMILAR_WINDOW,
            received_at__lte=report.received_at + SIMILAR_WINDOW,
        )
        .exclude(pk=report.pk)
        .defer("raw")
        .order_by("-received_at")[:SIMILAR_SCAN]
    )
    sender = _address(report.original_from)
    subject = report.subject.strip().lower()
    domains = set(report.domains)
    found: list[Similar] = []
    for other in candidates:
        reasons = []
        if sender and _address(other.original_from) == sender:
            reasons.append("sender")
        if subject and other.subject.strip().lower() == subject:
            reasons.append("subject")
        if domains & set(other.domains):
            reasons.append("domain")
        if reasons:
            found.append(Similar(other, reasons))
    return found


@dataclass(frozen=True, slots=True)
class Statistics:
    weeks: list[tuple[datetime, int]]
    simulations_sent: int
    simulations_reported: int
    median_minutes: int | None
    threats_caught: int
    reports_total: int

    @property
    def reported_share(self) -> float | None:
        if not self.simulations_sent:
            return None
        return self.simulations_reported / self.simulations_sent


def statistics(
    organisation: Organisation, *, now: datetime | None = None, weeks: int = 12
) -> Statistics:
    now = now or timezone.now()
    local = timezone.localtime(now)
    this_monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    received = Report.objects.filter(organisation=organisation, received_at__gte=starts[0])
    counts = dict.fromkeys(starts, 0)
    for at in received.values_list("received_at", flat=True):
        local_at = timezone.localtime(at)
        monday = (local_at - timedelta(days=local_at.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        if monday in counts:
            counts[monday] += 1
    results = SimulationResult.objects.filter(
        campaign__organisation=organisation,
        delivery__is_test=False,
        delivery__status=DeliveryStatus.SENT,
    )
    reported = results.filter(reported_at__isnull=False, delivery__sent_at__isnull=False)
    delays = [
        (reported_at - sent_at).total_seconds() / 60
        for reported_at, sent_at in reported.values_list("reported_at", "delivery__sent_at")
        if reported_at is not None and sent_at is not None and reported_at >= sent_at
    ]
    return Statistics(
        weeks=list(counts.items()),
        simulations_sent=results.count(),
        simulations_reported=reported.count(),
        median_minutes=round(stats.median(delays)) if delays else None,
        threats_caught=Report.objects.filter(
            organisation=organisation, classification=Classification.PHISHING
        ).count(),
        reports_total=Report.objects.filter(organisation=organisation).count(),
    )
