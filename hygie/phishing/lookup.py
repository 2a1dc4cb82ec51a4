"""What the tracking endpoints look up for each hit, kept per process where it can be.

Each web process keeps the campaigns of a path prefix (with their mailing, organisation
and variants) and the explanation's capsule for a few seconds: every hit of a
100,000-person campaign would otherwise read the same rows again. A save of an
organisation or a campaign empties this process's copy at once (see apps.py); other
processes see the change within CAMPAIGNS_TTL seconds, and links count for
TRACKING_GRACE after a campaign's end anyway.
"""

from __future__ import annotations

import time

from django.utils import timezone

from hygie.delivery.models import Delivery, MailingKind
from hygie.lib.rows import RowReader
from hygie.library.models import Capsule
from hygie.phishing import pages, services
from hygie.phishing.follow_up import capsule_for
from hygie.phishing.models import Scenario, SimulationCampaign

CAMPAIGNS_TTL = 30.0
CAMPAIGNS_KEPT = 1000  # prefixes, known or not (robots try made-up ones)
_CAMPAIGNS: dict[str, tuple[float, dict[int, SimulationCampaign]]] = {}


def _campaigns(prefix: str) -> dict[int, SimulationCampaign]:
    """The simulations served under `prefix`, by mailing id (prefixes are short and
    random, so two organisations' campaigns may share one)."""
    now = time.monotonic()
    kept = _CAMPAIGNS.get(prefix)
    if kept is not None and kept[0] > now:
        return kept[1]
    found = {
        campaign.mailing_id: campaign
        for campaign in SimulationCampaign.objects.select_related(
            "mailing__organisation", "organisation"
        )
        .prefetch_related("mailing__variants")
        .filter(path_prefix=prefix, mailing__kind=MailingKind.SIMULATION)
    }
    if len(_CAMPAIGNS) >= CAMPAIGNS_KEPT:
        _CAMPAIGNS.clear()
    _CAMPAIGNS[prefix] = (now + CAMPAIGNS_TTL, found)
    return found


def forget_campaigns() -> None:
    """Empty this process's campaigns (tests, which change them between two hits)."""
    _CAMPAIGNS.clear()
    _CAPSULES.clear()
    pages.forget_pages()


def forget_changed_campaigns(**_kwargs: object) -> None:
    """Receiver of a saved organisation or campaign: this process reads them again."""
    forget_campaigns()


def delivery(prefix: str, token: str, *related: str) -> Delivery | None:
    """The delivery of a tracked link, if its campaign still counts hits; `related`
    are the relations the page will read (a pixel reads none)."""
    campaigns = _campaigns(prefix)
    if not campaigns:
        return None
    reader = _READERS.get(related)
    if reader is None:
        reader = _READERS[related] = RowReader(Delivery, "token", *related)
    hit = reader.get(token)
    if hit is None:
        return None
    campaign = campaigns.get(hit.mailing_id)
    if campaign is None or (
        campaign.ended_at is not None
        and campaign.ended_at <= timezone.now() - services.TRACKING_GRACE
    ):
        return None
    hit.mailing = campaign.mailing  # with its organisation and simulation
    for variant in campaign.mailing.variants.all():  # prefetched with the campaign
        if variant.pk == hit.variant_id:
            hit.variant = variant
    return hit


# The delivery by its token, with the relations a page reads: one statement written
# once per process (see hygie/lib/rows.py).
_READERS: dict[tuple[str, ...], RowReader[Delivery]] = {}


_CAPSULES: dict[tuple[int, int], tuple[float, Capsule | None]] = {}


def capsule(campaign: SimulationCampaign, scenario: Scenario) -> Capsule | None:
    """The capsule the explanation links to, kept like the campaigns."""
    now = time.monotonic()
    key = (campaign.pk, scenario.pk)
    kept = _CAPSULES.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    found = capsule_for(campaign, scenario)
    if len(_CAPSULES) >= CAMPAIGNS_KEPT:
        _CAPSULES.clear()
    _CAPSULES[key] = (now + CAMPAIGNS_TTL, found)
    return found
