"""Reads for the triage console: the queue, similar reports, statistics."""

from __future__ import annotations

import statistics as stats
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Person, Profession
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.lib.small_cells import suppressed_column
from hygie.phishing.models import SimulationResult
from hygie.reporting import alerts
from hygie.reporting.lookalike import imitated_service
from hygie.reporting.models import Classification, GroupStatus, Kind, LureGroup, Report
from hygie.reporting.parsing import domain_of

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


# --- Lure groups in circulation ---------------------------------------------------------

CIRCULATION_SCAN = 500


def group_rank(group: LureGroup, now: datetime) -> float:
    """Spread weighed by recency: reporters, halved for every day since the last."""
    days = max((now - group.last_reported_at).total_seconds(), 0) / 86400
    return float(group.reporters_count * 0.5**days)


def groups_in_circulation(
    organisation: Organisation, *, now: datetime | None = None
) -> list[LureGroup]:
    """The organisation's lure groups, the most widespread and recent first; those
    staff found legitimate come last."""
    now = now or timezone.now()
    groups = list(
        LureGroup.objects.filter(organisation=organisation).order_by("-last_reported_at")[
            :CIRCULATION_SCAN
        ]
    )
    return sorted(
        groups,
        key=lambda g: (g.status == GroupStatus.LEGITIMATE, -group_rank(g, now), -g.pk),
    )


@dataclass(frozen=True, slots=True)
class Cell:
    label: str
    count: int | None  # None: fewer than k people, not shown


@dataclass
class GroupSummary:
    group: LureGroup
    reports: list[Report]
    departements: list[Cell]
    professions: list[Cell]
    hidden_people: bool
    text: str
    subject: str
    sender: str
    authentication: dict[str, str]
    link_hosts: list[str]
    urls: list[str]
    lookalikes: list[tuple[str, str]]
    minutes_to_first_report: int | None
    alert_minutes: int | None


def _cells(values: list[str], labels: dict[str, str], threshold: int) -> tuple[list[Cell], bool]:
    counts = Counter(v for v in values if v)
    names = sorted(counts, key=lambda v: (-counts[v], v))
    shown = suppressed_column([counts[n] for n in names], threshold)
    cells = [Cell(labels.get(n, n), c) for n, c in zip(names, shown, strict=True)]
    return cells, any(c.count is None for c in cells)


def group_summary(group: LureGroup) -> GroupSummary:
    reports = list(
        group.reports.select_related("person").defer("raw").order_by("received_at", "pk")
    )
    people: dict[int, Person] = {r.person.pk: r.person for r in reports if r.person is not None}
    threshold = group.organisation.anonymity_threshold
    departements, hidden_a = _cells([p.departement for p in people.values()], {}, threshold)
    professions, hidden_b = _cells(
        [p.profession for p in people.values()],
        {value: str(label) for value, label in Profession.choices},
        threshold,
    )
    first = reports[0] if reports else None
    details = first.details if first is not None else {}
    urls: list[str] = []
    for report in reports:
        for url in report.details.get("urls", []):
            if url not in urls:
                urls.append(str(url))
    hosts = list(dict.fromkeys(h for h in (domain_of(u) for u in urls) if h))
    domains = list(
        dict.fromkeys([*(r.original_domain for r in reports if r.original_domain), *hosts])
    )
    sent_times = [r.original_sent_at for r in reports if r.original_sent_at is not None]
    minutes_to_first = None
    if first is not None and sent_times:
        minutes_to_first = max(int((first.received_at - min(sent_times)).total_seconds() // 60), 0)
    return GroupSummary(
        group=group,
        reports=reports,
        departements=departements,
        professions=professions,
        hidden_people=hidden_a or hidden_b,
        text=str(details.get("text", "")),
        subject=first.subject if first is not None else "",
        sender=first.original_from if first is not None else "",
        authentication=dict(details.get("authentication", {})),
        link_hosts=hosts,
        urls=urls,
        lookalikes=[(d, s) for d in domains if (s := imitated_service(d))],
        minutes_to_first_report=minutes_to_first,
        alert_minutes=alert_minutes(group),
    )


def alert_minutes(group: LureGroup) -> int | None:
    """Minutes from the first report of the group to the first alert message leaving."""
    mailings = [m for m in (group.alert_email_id, group.alert_sms_id) if m]
    if not mailings:
        return None
    first_sent = (
        Delivery.objects.filter(mailing_id__in=mailings, sent_at__isnull=False, is_test=False)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if first_sent is None:
        return None
    return max(int((first_sent - group.first_reported_at).total_seconds() // 60), 0)


def alerted_count(group: LureGroup) -> int | None:
    """How many members the group's alert reached (None when none was sent)."""
    mailings = [m for m in (group.alert_email_id, group.alert_sms_id) if m]
    if not mailings:
        return None
    return (
        Delivery.objects.filter(mailing_id__in=mailings, is_test=False)
        .values("person_id")
        .distinct()
        .count()
    )


def alert_preview(group: LureGroup) -> dict[str, str]:
    """The alert's content as members would read it (before placeholders)."""
    first = group.reports.order_by("received_at", "pk").defer("raw").first()
    if first is None:
        return {"subject": "", "text": "", "sms": ""}
    reporters = Person.objects.filter(
        pk__in=group.reports.exclude(person=None).values("person_id")
    ).values_list("first_name", "last_name", "email")
    names = [part for row in reporters for part in row[:2] if part]
    emails = [row[2] for row in reporters if row[2]]
    excerpt = alerts.sanitise(
        str(first.details.get("text", "")), names=[*names, *emails, first.reporter_email]
    )
    subject = alerts.sanitise(first.subject, names=names)
    organisation = group.organisation
    return {
        "subject": _("Alert: fraudulent message in circulation"),
        "text": alerts.email_text(
            subject=subject, sender_domain=first.original_domain, excerpt=excerpt
        ),
        "sms": alerts.sms_text(
            organisation=organisation.brand_name or organisation.name,
            subject=subject,
            sender_domain=first.original_domain,
        ),
    }
