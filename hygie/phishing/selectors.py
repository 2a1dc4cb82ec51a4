"""Simulation results: the funnel on people only, with 95 % confidence intervals,
the timing of clicks and reports, the red flags most often missed, and the hits."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.delivery.models import DeliveryStatus
from hygie.phishing.models import (
    HitKind,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
)


def campaigns(organisation: Organisation) -> QuerySet[SimulationCampaign]:
    return SimulationCampaign.objects.filter(organisation=organisation).select_related(
        "mailing", "segment"
    )


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval, in percent (sound for small samples and 0 or 100 %)."""
    if total == 0:
        return (0.0, 0.0)
    p = successes / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    denominator = 1 + z * z / total
    return (
        round(100 * (centre - margin) / denominator, 1),
        round(100 * (centre + margin) / denominator, 1),
    )


@dataclass(frozen=True)
class Rate:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.total)


@dataclass(frozen=True)
class Funnel:
    sent: int
    rates: list[Rate]
    automated_hits: int
    by_scenario: list[tuple[str, int, int, int]]  # key, sent, clicked, submitted
    suppressed_scenarios: int
    # Opens per person (None where the organisation does not track them per person).
    opened: Rate | None = None
    anonymous_opens: int = 0
    # Clicks with a person confirmed by the page: the lower bound of the click rate.
    confirmed_clicks: Rate | None = None
    uncertain_hits: int = 0
    # The best outcome: reported without clicking.
    reported_only: Rate | None = None


def funnel(campaign: SimulationCampaign) -> Funnel:
    """One aggregate query over the per-delivery summaries (never the raw events)."""
    rows = SimulationResult.objects.filter(campaign=campaign, delivery__status=DeliveryStatus.SENT)
    totals = rows.aggregate(
        sent=Count("pk"),
        clicked=Count("pk", filter=Q(stage__gte=Stage.CLICKED)),
        submitted=Count("pk", filter=Q(stage__gte=Stage.SUBMITTED)),
        reported=Count("pk", filter=Q(reported_at__isnull=False)),
        reported_only=Count("pk", filter=Q(reported_at__isnull=False, stage__lt=Stage.CLICKED)),
        opened=Count("pk", filter=Q(stage__gte=Stage.OPENED)),
        confirmed=Count("pk", filter=Q(stage__gte=Stage.CLICKED, confirmed=True)),
        automated=Sum("automated_hits"),
        uncertain=Sum("uncertain_hits"),
    )
    sent = totals["sent"]
    threshold = campaign.organisation.anonymity_threshold
    titles = {f"s{s.pk}": s.title for s in campaign.scenarios.all()}
    by_scenario = []
    suppressed = 0
    for row in (
        rows.values("delivery__variant__key")
        .annotate(
            n=Count("pk"),
            clicked=Count("pk", filter=Q(stage__gte=Stage.CLICKED)),
            submitted=Count("pk", filter=Q(stage__gte=Stage.SUBMITTED)),
        )
        .order_by("delivery__variant__key")
    ):
        if row["n"] < threshold:
            suppressed += 1
            continue
        title = titles.get(row["delivery__variant__key"], "?")
        by_scenario.append((title, row["n"], row["clicked"], row["submitted"]))
    return Funnel(
        sent=sent,
        rates=[
            Rate("clicked", totals["clicked"], sent),
            Rate("submitted", totals["submitted"], sent),
            Rate("reported", totals["reported"], sent),
        ],
        automated_hits=totals["automated"] or 0,
        by_scenario=by_scenario,
        suppressed_scenarios=suppressed,
        opened=Rate("opened", totals["opened"], sent)
        if campaign.organisation.track_individual_opens
        else None,
        anonymous_opens=campaign.anonymous_opens,
        confirmed_clicks=Rate("confirmed", totals["confirmed"], sent),
        uncertain_hits=totals["uncertain"] or 0,
        reported_only=Rate("reported_only", totals["reported_only"], sent),
    )


# --- Timing --------------------------------------------------------------------

BUCKETS: list[tuple[timedelta | None, Promise]] = [
    (timedelta(minutes=5), _("under 5 min")),
    (timedelta(minutes=15), _("5 to 15 min")),
    (timedelta(hours=1), _("15 min to 1 h")),
    (timedelta(hours=4), _("1 to 4 h")),
    (timedelta(days=1), _("4 to 24 h")),
    (timedelta(days=3), _("1 to 3 days")),
    (None, _("over 3 days")),
]


@dataclass(frozen=True)
class Distribution:
    total: int
    buckets: list[tuple[Promise, int, float]]  # label, people, percent
    median_minutes: int | None
    suppressed: bool


def distribution(campaign: SimulationCampaign, field: str) -> Distribution:
    """How long after delivery people clicked (`clicked_at`) or reported (`reported_at`).

    Only the moments of people who did it are read (never the whole campaign), and
    the figure is withheld below the anonymity threshold."""
    rows = SimulationResult.objects.filter(
        campaign=campaign, delivery__status=DeliveryStatus.SENT, **{f"{field}__isnull": False}
    ).values_list("delivery__sent_at", field)
    delays = [moment - sent for sent, moment in rows if sent is not None and moment >= sent]
    threshold = campaign.organisation.anonymity_threshold
    if not delays or len(delays) < threshold:
        return Distribution(len(delays), [], None, bool(delays))
    counts = [0] * len(BUCKETS)
    for delay in delays:
        for index, (limit, _label) in enumerate(BUCKETS):
            if limit is None or delay < limit:
                counts[index] += 1
                break
    total = len(delays)
    median = statistics.median(d.total_seconds() for d in delays)
    return Distribution(
        total,
        [
            (label, n, round(100 * n / total, 1))
            for (_limit, label), n in zip(BUCKETS, counts, strict=True)
        ],
        round(median / 60),
        False,
    )


# --- Red flags -----------------------------------------------------------------


@dataclass(frozen=True)
class MissedFlag:
    scenario: str
    anchor: str
    explanation: str
    people: int
    percent: float  # of the people who received that scenario


def missed_flags(campaign: SimulationCampaign, limit: int = 10) -> list[MissedFlag]:
    """The red flags people went past: a flag in the message was missed by whoever
    clicked; a flag on the landing page by whoever submitted the form. Robots are
    not people (the summaries already leave them out); k applies to each row."""
    threshold = campaign.organisation.anonymity_threshold
    counts = {
        row["delivery__variant__key"]: row
        for row in SimulationResult.objects.filter(
            campaign=campaign, delivery__status=DeliveryStatus.SENT
        )
        .values("delivery__variant__key")
        .annotate(
            n=Count("pk"),
            clicked=Count("pk", filter=Q(stage__gte=Stage.CLICKED)),
            submitted=Count("pk", filter=Q(stage__gte=Stage.SUBMITTED)),
        )
    }
    rows = []
    for scenario in campaign.scenarios.all():
        row = counts.get(f"s{scenario.pk}")
        if row is None:
            continue
        for flag in scenario.data.get("red_flags", []):
            people = row["submitted"] if flag["where"] == "landing" else row["clicked"]
            if people and people >= threshold:
                rows.append(
                    MissedFlag(
                        scenario.title,
                        flag["anchor"],
                        flag["explanation"],
                        people,
                        round(100 * people / row["n"], 1),
                    )
                )
    rows.sort(key=lambda r: (-r.percent, -r.people))
    return rows[:limit]


# --- Individual lists and hits -------------------------------------------------

OUTCOMES: dict[str, Q] = {
    "clicked": Q(stage__gte=Stage.CLICKED),
    "submitted": Q(stage__gte=Stage.SUBMITTED),
    "reported": Q(reported_at__isnull=False),
}


def people(campaign: SimulationCampaign, outcome: str) -> QuerySet[SimulationResult]:
    """Named people by outcome: only for the individual-results right (audited by the view)."""
    timeline = SimulationEvent.objects.exclude(kind=HitKind.PRESENCE).order_by("at", "pk")
    return (
        SimulationResult.objects.filter(campaign=campaign)
        .filter(OUTCOMES[outcome])
        .select_related("delivery__person__practice")
        # Each person's timeline, robots included (with their verdict), in one query a page.
        .prefetch_related(Prefetch("delivery__simulation_events", queryset=timeline))
        .order_by("delivery__person__last_name", "delivery__person__first_name", "pk")
    )


def hits(campaign: SimulationCampaign, verdict: str = "") -> QuerySet[SimulationEvent]:
    """The campaign's event log without who it concerns (reviewing needs no name)."""
    events = SimulationEvent.objects.filter(
        delivery__mailing_id=campaign.mailing_id, delivery__is_test=False
    ).exclude(kind=HitKind.PRESENCE)
    if verdict:
        events = events.filter(
            Q(reviewed_verdict=verdict) | Q(reviewed_verdict="", verdict=verdict)
        )
    return events.order_by("-at", "-pk")


# --- By group of people --------------------------------------------------------

GROUPS: dict[str, Promise] = {
    "profession": _("Profession"),
    "specialty": _("Specialty"),
    "departement": _("Département"),
}


@dataclass(frozen=True)
class GroupRow:
    name: str
    sent: int
    clicked: Rate
    reported: Rate


@dataclass(frozen=True)
class Breakdown:
    rows: list[GroupRow]
    suppressed: int  # groups below the anonymity threshold, not shown


def breakdown(campaign: SimulationCampaign, group: str) -> Breakdown:
    """Click and report rates per group of people, in one aggregate query; a group
    smaller than the anonymity threshold is left out (and counted as such)."""
    if group not in GROUPS:
        raise ValueError(group)
    column = f"delivery__person__{group}"
    threshold = campaign.organisation.anonymity_threshold
    rows, suppressed = [], 0
    for row in (
        SimulationResult.objects.filter(campaign=campaign, delivery__status=DeliveryStatus.SENT)
        .values(column)
        .annotate(
            n=Count("pk"),
            clicked=Count("pk", filter=Q(stage__gte=Stage.CLICKED)),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
        )
        .order_by(column)
    ):
        if row["n"] < threshold:
            suppressed += 1
            continue
        rows.append(
            GroupRow(
                row[column] or "—",
                row["n"],
                Rate("clicked", row["clicked"], row["n"]),
                Rate("reported", row["reported"], row["n"]),
            )
        )
    return Breakdown(rows, suppressed)


# --- The results page ------------------------------------------------------------


@dataclass(frozen=True)
class ResultsFigures:
    funnel: Funnel
    to_click: Distribution
    to_report: Distribution
    missed: list[MissedFlag]
    breakdowns: dict[str, Breakdown]  # by group (GROUPS): switching group reads no more


def results_figures(campaign_id: int, *settings: object) -> ResultsFigures:
    """Every figure of a campaign's results page (kept between views by the snapshots).

    `settings` are the organisation's settings that change the figures (anonymity
    threshold, per-person opens), so that changing one gives new figures at once."""
    campaign = SimulationCampaign.objects.select_related("organisation").get(pk=campaign_id)
    return ResultsFigures(
        funnel=funnel(campaign),
        to_click=distribution(campaign, "clicked_at"),
        to_report=distribution(campaign, "reported_at"),
        missed=missed_flags(campaign),
        breakdowns={group: breakdown(campaign, group) for group in GROUPS},
    )


def results_arguments(campaign: SimulationCampaign) -> tuple[object, ...]:
    organisation = campaign.organisation
    return (
        campaign.pk,
        organisation.anonymity_threshold,
        int(organisation.track_individual_opens),
    )
