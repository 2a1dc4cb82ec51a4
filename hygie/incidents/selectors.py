"""Reads for the incident desk, always scoped to one organisation.

A report keeps its answers as a path and its outcome as an id (see `engine`); the desk reads
them back through the shipped tree, so questions, answers and deadlines are shown as the
guide words them today. When the tree has changed so that the path no longer leads to the
same outcome, the report's own snapshot (title, severity) is what is left.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from hygie.accounts.models import Organisation, User
from hygie.accounts.roles import ROLE_PERMISSIONS, Permission
from hygie.incidents import assistant
from hygie.incidents.assistant import PARIS
from hygie.incidents.content import Outcome, Text, load_tree
from hygie.incidents.models import CallbackSlot, CallbackSlotQuerySet, IncidentReport, ReportStatus
from hygie.lib.dates import months_after
from hygie.lib.small_cells import CellState, suppress

# --- Staff ---------------------------------------------------------------------------


def incident_handlers(organisation: Organisation) -> QuerySet[User]:
    """Active staff of `organisation` whose role may handle incidents."""
    roles = [str(role) for role in ROLE_PERMISSIONS[Permission.HANDLE_INCIDENTS]]
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


# --- The queue -----------------------------------------------------------------------

QueueFilter = Literal["open", "new", "in_progress", "closed", "all"]
QUEUE_FILTERS: dict[str, tuple[str, ...] | None] = {
    "open": (ReportStatus.NEW, ReportStatus.IN_PROGRESS),
    "new": (ReportStatus.NEW,),
    "in_progress": (ReportStatus.IN_PROGRESS,),
    "closed": (ReportStatus.CLOSED,),
    "all": None,
}
DEFAULT_FILTER = "open"


def reports(organisation: Organisation) -> QuerySet[IncidentReport]:
    return IncidentReport.objects.filter(organisation=organisation)


def queue(organisation: Organisation, status: str = DEFAULT_FILTER) -> QuerySet[IncidentReport]:
    """The reports of one filter of `QUEUE_FILTERS` (unknown: open ones), newest first."""
    statuses = QUEUE_FILTERS.get(status, QUEUE_FILTERS[DEFAULT_FILTER])
    found = reports(organisation).select_related("assignee", "slot")
    if statuses is not None:
        found = found.filter(status__in=statuses)
    return found.order_by("-created_at", "-pk")


def queue_counts(organisation: Organisation) -> dict[str, int]:
    """How many reports each filter shows (for the tabs)."""
    by_status = Counter(reports(organisation).values_list("status", flat=True).order_by())
    counts: dict[str, int] = {}
    for name, statuses in QUEUE_FILTERS.items():
        chosen = statuses if statuses is not None else tuple(ReportStatus.values)
        counts[name] = sum(by_status[status] for status in chosen)
    return counts


# --- One report, read through the tree -----------------------------------------------


def outcome_of(report: IncidentReport) -> Outcome | None:
    """The report's outcome in today's tree (None when it was removed since)."""
    return load_tree().outcomes.get(report.outcome_id)


def outcome_title(report: IncidentReport) -> str:
    outcome = outcome_of(report)
    return str(outcome.title) if outcome is not None else report.outcome_title


def deadlines_of(report: IncidentReport) -> list[assistant.Deadline]:
    """The obligations the report's answers make due, counted from the reported discovery.

    Duties left "to check" or "not required" by the answers have no deadline here either.
    """
    outcome = outcome_of(report)
    if outcome is None:
        return []
    visits: list[assistant.Visit] = []
    try:
        visits, reached = assistant.walk(load_tree(), assistant.parse_path(report.path))
    except assistant.InvalidPath:
        reached = outcome
    if reached is not outcome:  # the tree changed since: only the outcome's own facts
        visits = []
    return assistant.deadlines(assistant.due_obligations(visits, outcome), report.discovered_at)


ALERT_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class DeadlineAlert:
    """The deadline that deserves a badge: passed ("overdue") or due within 24 h ("soon")."""

    kind: Literal["overdue", "soon"]
    deadline: assistant.Deadline


def deadline_state(deadline: assistant.Deadline, now: dt.datetime) -> str:
    """ "overdue", "soon" (within 24 h), "later", or "" for an "as soon as possible" one."""
    if deadline.due is None:
        return ""
    if deadline.due <= now:
        return "overdue"
    if deadline.due <= now + ALERT_WINDOW:
        return "soon"
    return "later"


def deadline_alert(report: IncidentReport, now: dt.datetime | None = None) -> DeadlineAlert | None:
    """For an open report: the most pressing deadline passed or due within 24 h, if any.

    A passed deadline comes first (the latest one passed); otherwise the next one due.
    """
    if not report.is_open:
        return None
    now = now or timezone.now()
    dated = [d for d in deadlines_of(report) if d.due is not None]
    overdue = [d for d in dated if deadline_state(d, now) == "overdue"]
    if overdue:
        return DeadlineAlert("overdue", max(overdue, key=lambda d: d.due or now))
    soon = [d for d in dated if deadline_state(d, now) == "soon"]
    if soon:
        return DeadlineAlert("soon", min(soon, key=lambda d: d.due or now))
    return None


@dataclass(frozen=True, slots=True)
class AnsweredStep:
    question: Text | None  # None: an urgent shortcut of the start page
    answer: Text


@dataclass(frozen=True, slots=True)
class ReportAnswers:
    """The questions and chosen answers of a report's path, in today's tree."""

    steps: list[AnsweredStep]
    # False when the path is no longer valid or leads elsewhere: the tree changed.
    matches: bool


def answers_of(report: IncidentReport) -> ReportAnswers:
    tree = load_tree()
    try:
        visits, position = assistant.walk(tree, assistant.parse_path(report.path))
    except assistant.InvalidPath:
        return ReportAnswers(steps=[], matches=False)
    steps = [
        AnsweredStep(
            question=visit.question.text if visit.question is not None else None,
            answer=visit.answer.label,
        )
        for visit in visits
    ]
    matches = isinstance(position, Outcome) and position.id == report.outcome_id
    return ReportAnswers(steps=steps, matches=matches)


# --- Callback slots ------------------------------------------------------------------


def slots(organisation: Organisation) -> CallbackSlotQuerySet:
    return CallbackSlot.objects.filter(organisation=organisation)


def upcoming_slots(organisation: Organisation) -> CallbackSlotQuerySet:
    """Future slots with their bookings (count and reports), earliest first."""
    return (
        slots(organisation)
        .upcoming()
        .with_bookings()
        .prefetch_related(
            Prefetch("bookings", queryset=IncidentReport.objects.order_by("created_at", "pk"))
        )
        .order_by("starts_at", "pk")
    )


# --- Statistics ----------------------------------------------------------------------

STATISTICS_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure of a statistics table.

    `state` is "shown"; "below" when the count is under the anonymity threshold k (shown as
    "< k"); or "withheld" when it is at least k but hidden all the same, because with the
    total it would give away figures below k (complementary suppression). Zero is shown.
    """

    label: str
    count: int
    state: CellState

    @property
    def shown(self) -> bool:
        return self.state == "shown"


@dataclass(frozen=True, slots=True)
class Statistics:
    threshold: int
    since: dt.date  # first day of the first month counted (Paris time)
    total: Cell
    by_outcome: list[Cell]
    by_month: list[Cell]  # oldest first, months without reports included
    by_departement: list[Cell]  # reports without a département counted as "not given"


def cells(rows: Sequence[tuple[str, int]], threshold: int) -> list[Cell]:
    """The cells of one table under the platform's suppression rule (`hygie.lib.small_cells`):
    the table's total is published (it is also the other tables' total)."""
    states = suppress([count for _label, count in rows], threshold)
    return [
        Cell(label=label, count=count, state=state)
        for (label, count), state in zip(rows, states, strict=True)
    ]


def _month_starts(now: dt.datetime, months: int) -> list[dt.date]:
    """The first days of the last `months` months, current one included, oldest first."""
    today = now.astimezone(PARIS).date()
    year, month = today.year, today.month
    found: list[dt.date] = []
    for _ in range(months):
        found.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def statistics(
    organisation: Organisation,
    now: dt.datetime | None = None,
    months: int = STATISTICS_MONTHS,
) -> Statistics:
    """Reports of the last `months` months by outcome and by month, small cells suppressed.

    Reports are few (a handful a month for a union), so they are counted in Python from one
    query over two columns; months follow the Paris calendar.
    """
    now = now or timezone.now()
    threshold = organisation.anonymity_threshold
    starts = _month_starts(now, months)
    since = dt.datetime.combine(starts[0], dt.time(), tzinfo=PARIS)
    rows = list(
        reports(organisation)
        .filter(created_at__gte=since)
        .values_list("created_at", "outcome_id", "outcome_title", "departement")
        .order_by("created_at")
    )
    outcome_counts: Counter[str] = Counter()
    titles: dict[str, str] = {}
    month_counts: Counter[dt.date] = Counter()
    departement_counts: Counter[str] = Counter()
    tree = load_tree()
    for created_at, outcome_id, snapshot, departement in rows:
        outcome_counts[outcome_id] += 1
        departement_counts[departement] += 1
        live = tree.outcomes.get(outcome_id)
        titles[outcome_id] = str(live.title) if live is not None else snapshot
        month_counts[created_at.astimezone(PARIS).date().replace(day=1)] += 1
    by_outcome = sorted(outcome_counts.items(), key=lambda item: (-item[1], titles[item[0]]))
    total = len(rows)
    return Statistics(
        threshold=threshold,
        since=starts[0],
        total=Cell(label="", count=total, state="below" if 0 < total < threshold else "shown"),
        by_outcome=cells([(titles[ident], n) for ident, n in by_outcome], threshold),
        by_month=cells(
            [
                (formats.date_format(start, "YEAR_MONTH_FORMAT"), month_counts[start])
                for start in starts
            ],
            threshold,
        ),
        by_departement=cells(
            [
                (code or gettext("Not given"), count)
                for code, count in sorted(
                    departement_counts.items(), key=lambda item: (not item[0], -item[1], item[0])
                )
            ],
            threshold,
        ),
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    report: IncidentReport
    title: str
    alert: DeadlineAlert | None


def queue_rows(found: Iterable[IncidentReport], now: dt.datetime | None = None) -> list[QueueRow]:
    """Each report with its title in today's tree and its deadline badge, if any."""
    now = now or timezone.now()
    return [
        QueueRow(report=report, title=outcome_title(report), alert=deadline_alert(report, now))
        for report in found
    ]


def erasure_date(report: IncidentReport) -> dt.datetime | None:
    """When the retention job will erase the sender's details (None while the case is open)."""
    if report.anonymised_at is not None or report.closed_at is None:
        return None
    months = report.organisation.retention_months
    return months_after(report.closed_at, months)


# Guidance older than this is flagged for review: rules, numbers and services change.
REVIEW_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True, slots=True)
class ContentReview:
    outcome: Outcome
    path: str  # one way through the guide to this outcome, to open it
    review_due: dt.date

    @property
    def overdue(self) -> bool:
        return self.review_due <= timezone.localdate()


def content_reviews() -> list[ContentReview]:
    """Every outcome of the guide with the date it should be reviewed by, most urgent first."""
    paths: dict[str, str] = {}
    for steps, outcome in assistant.outcome_paths(load_tree()):
        paths.setdefault(outcome.id, assistant.format_path(steps))
    reviews = [
        ContentReview(
            outcome=outcome, path=paths[ident], review_due=outcome.last_reviewed + REVIEW_AFTER
        )
        for ident, outcome in load_tree().outcomes.items()
        if ident in paths
    ]
    return sorted(reviews, key=lambda review: (review.review_due, review.outcome.id))


def personal_data(report: IncidentReport) -> dict[str, object]:
    """Everything the report holds about the person who sent it (a data-subject request)."""
    return {
        "reference": report.reference,
        "sent_at": report.created_at.isoformat(),
        "consent_given_at": report.consented_at.isoformat(),
        "language": report.language,
        "discovered_at": report.discovered_at.isoformat(),
        "situation": report.outcome_title,
        "answers": report.path,
        "name": report.name,
        "practice": report.practice,
        "departement": report.departement,
        "email": report.email,
        "phone": report.phone,
        "message": report.message,
        "callback_requested": report.wants_callback,
        "callback_slot": str(report.slot) if report.slot is not None else None,
        "status": report.status,
        "closed_at": report.closed_at.isoformat() if report.closed_at else None,
        "personal_data_erased_at": (
            report.anonymised_at.isoformat() if report.anonymised_at else None
        ),
        # Internal notes may quote the person: they are part of what is held about them.
        "desk_notes": [
            {"at": note.created_at.isoformat(), "text": note.text} for note in report.notes.all()
        ],
    }
