"""Every figure of an awareness campaign's results page, as one computation.

Kept between views by `hygie.operations.snapshots`: a large campaign's page reads
one row instead of aggregating its reading events and quiz attempts at each view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from hygie.awareness import breakdown, selectors
from hygie.awareness.models import AwarenessCampaign
from hygie.operations import snapshots


@dataclass(frozen=True)
class ResultsFigures:
    results: selectors.CampaignResults
    breakdown: breakdown.Breakdown


def results_figures(campaign_id: int, dimension: str, *settings: object) -> ResultsFigures:
    """`settings` are the organisation's settings that change the figures (anonymity
    threshold, per-person opens): changing one gives new figures at once."""
    campaign = AwarenessCampaign.objects.select_related("capsule", "mailing", "organisation").get(
        pk=campaign_id
    )
    attempts = selectors.campaign_attempts(campaign)  # read once for both
    return ResultsFigures(
        results=selectors.results(campaign, attempts),
        breakdown=breakdown.breakdown(campaign, dimension, attempts),
    )


def results_arguments(campaign: AwarenessCampaign, dimension: str) -> tuple[object, ...]:
    if dimension not in breakdown.DIMENSIONS:
        dimension = "profession"
    organisation = campaign.organisation
    return (
        campaign.pk,
        dimension,
        organisation.anonymity_threshold,
        int(organisation.track_individual_opens),
    )


def prepare_results_figures(now: datetime | None = None) -> int:
    """Due-work source: queue the first figures of recent campaigns' results pages (as
    the page opens: by profession)."""
    now = now or timezone.now()
    recent = AwarenessCampaign.objects.filter(
        mailing__launched_at__gte=now - snapshots.PREPARE_FOR
    ).select_related("organisation")
    return snapshots.prepare(
        "awareness_results", [results_arguments(c, "profession") for c in recent], now=now
    )
