"""Every figure of an awareness campaign's results page, as one computation.

Kept between views by `hygie.operations.snapshots`: a large campaign's page reads
one row instead of aggregating its reading events and quiz attempts at each view.
"""

from __future__ import annotations

from dataclasses import dataclass

from hygie.awareness import breakdown, selectors
from hygie.awareness.models import AwarenessCampaign


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
