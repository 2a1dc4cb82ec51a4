"""What the tracking endpoints look up for each hit, kept per process where it can be.

Each web process keeps the campaigns of a path prefix (with their mailing, organisation
and variants) and the explanation's capsule for a few seconds: every hit of a
100,000-person campaign would otherwise read the same rows again. A save of an
organisation or a campaign empties this process's copy at once (see apps.py); other
processes see the change within CAMPAIGNS_TTL seconds, and links count for
TRACKING_GRACE after a campaign's end anyway.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from hygie.delivery.models import Delivery, MailingKind, Variant
from hygie.lib.kept import Kept
from hygie.lib.rows import RowReader
from hygie.lib.visits import Visit
from hygie.library.models import Capsule
from hygie.phishing import pages, services, tracking_sql
from hygie.phishing.detection import BURST_WINDOW, CONFIRM_WINDOW, visitor_of
from hygie.phishing.follow_up import capsule_for
from hygie.phishing.models import Scenario, SimulationCampaign

CAMPAIGNS_TTL = 30.0

# The moment of a hit replayed from the outage spool (see outage.py): the hit counts
# at the time it was made, not at the time the database came back.
HIT_TIME: ContextVar[datetime | None] = ContextVar("hit_time", default=None)


@dataclass(frozen=True)
class _Served:
    campaign: SimulationCampaign  # with its mailing and organisation
    variants: dict[int, Variant]  # the mailing's, by id


# By path prefix, known or not (robots try made-up ones).
_CAMPAIGNS: Kept[str, dict[int, _Served]] = Kept(seconds=CAMPAIGNS_TTL, most=1000)


def _campaigns(prefix: str) -> dict[int, _Served]:
    """The simulations served under `prefix`, by mailing id (prefixes are short and
    random, so two organisations' campaigns may share one)."""
    return _CAMPAIGNS.get(prefix, lambda: _read_campaigns(prefix))


def _read_campaigns(prefix: str) -> dict[int, _Served]:
    return {
        campaign.mailing_id: _Served(
            campaign, {variant.pk: variant for variant in campaign.mailing.variants.all()}
        )
        for campaign in SimulationCampaign.objects.select_related(
            "mailing__organisation", "organisation"
        )
        .prefetch_related("mailing__variants")
        .filter(path_prefix=prefix, mailing__kind=MailingKind.SIMULATION)
    }


def forget_campaigns() -> None:
    """Empty this process's campaigns (tests, which change them between two hits)."""
    _CAMPAIGNS.forget()
    _CAPSULES.forget()
    pages.forget_pages()


def forget_changed_campaigns(**_kwargs: object) -> None:
    """Receiver of a saved organisation or campaign: this process reads them again."""
    forget_campaigns()


def delivery(prefix: str, token: str, *related: str) -> Delivery | None:
    """The delivery of a tracked link, if its campaign still counts hits; `related`
    are the relations the page will read (a pixel reads none)."""
    found = _find(prefix, token, related, presence=None, params=[])
    return None if found is None else found[0]


@dataclass(frozen=True)
class Hit:
    """A tracked link's delivery with what the detector needs to classify the hit."""

    delivery: Delivery
    signals: tracking_sql.Signals
    at: datetime


def hit(prefix: str, token: str, *related: str, visit: Visit, page: bool) -> Hit | None:
    """As `delivery`, for a hit about to be recorded: the detector's signals come in
    the same statement. `page`: the answer carries the page-side check (a page
    confirmation is looked for)."""
    now = HIT_TIME.get() or timezone.now()
    params = tracking_sql.signal_params(
        visitor_of(visit),
        burst_since=now - BURST_WINDOW,
        presence_since=now - CONFIRM_WINDOW if page else None,
    )
    found = _find(prefix, token, related, presence=page, params=params)
    if found is None:
        return None
    return Hit(delivery=found[0], signals=tracking_sql.read_signals(found[1]), at=now)


def _find(
    prefix: str,
    token: str,
    related: tuple[str, ...],
    *,
    presence: bool | None,
    params: list[Any],
) -> tuple[Delivery, tuple[Any, ...]] | None:
    """The delivery and the values of the signal columns (`presence` None: none)."""
    campaigns = _campaigns(prefix)
    if not campaigns:
        return None
    key = (related, presence)
    reader = _READERS.get(key)
    if reader is None:
        extra = [] if presence is None else tracking_sql.signal_columns(presence=presence)
        reader = _READERS[key] = RowReader(Delivery, "token", *related, extra=extra)
    found = reader.read(token, params)
    if found is None:
        return None
    row, values = found
    served = campaigns.get(row.mailing_id)
    if served is None:
        # A campaign made since this prefix was read, under a prefix another campaign
        # already had (rare: see variants.new_path_prefix): read the prefix again.
        _CAMPAIGNS.forget(prefix)
        served = _campaigns(prefix).get(row.mailing_id)
    if served is None or (
        served.campaign.ended_at is not None
        and served.campaign.ended_at <= timezone.now() - services.TRACKING_GRACE
    ):
        return None
    row.mailing = served.campaign.mailing  # with its organisation and simulation
    variant = served.variants.get(row.variant_id)
    if variant is not None:  # else read when used (a variant newer than this copy)
        row.variant = variant
    return row, values


# The delivery by its token, with the relations a page reads (and the detector's
# signals, or not): one statement written once per process (see hygie/lib/rows.py).
_READERS: dict[tuple[tuple[str, ...], bool | None], RowReader[Delivery]] = {}


_CAPSULES: Kept[tuple[int, int], Capsule | None] = Kept(seconds=CAMPAIGNS_TTL, most=1000)


def capsule(campaign: SimulationCampaign, scenario: Scenario) -> Capsule | None:
    """The capsule the explanation links to, kept like the campaigns."""
    return _CAPSULES.get((campaign.pk, scenario.pk), lambda: capsule_for(campaign, scenario))
