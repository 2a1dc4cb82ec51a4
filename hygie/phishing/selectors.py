"""Simulation results: the funnel on people only, with 95 % confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from hygie.accounts.models import Organisation
from hygie.delivery.models import DeliveryStatus
from hygie.phishing.models import SimulationCampaign, SimulationResult, Stage


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


def funnel(campaign: SimulationCampaign) -> Funnel:
    """One aggregate query over the per-delivery summaries (never the raw events)."""
    rows = SimulationResult.objects.filter(campaign=campaign, delivery__status=DeliveryStatus.SENT)
    totals = rows.aggregate(
        sent=Count("pk"),
        clicked=Count("pk", filter=Q(stage__gte=Stage.CLICKED)),
        submitted=Count("pk", filter=Q(stage__gte=Stage.SUBMITTED)),
        reported=Count("pk", filter=Q(reported_at__isnull=False)),
        automated=Sum("automated_hits"),
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
    )
