"""Retention: individual events older than the organisation's period are anonymised.

A campaign launched before the cutoff has its roll-ups computed one last time and
frozen, then its messages are unlinked from people: the delivery keeps its facts
(sent, read, clicked, reported, quiz answers) but no longer says whose they were,
and the address it went to and the visitors' address hashes are forgotten. The
campaign's own results page and the dashboard therefore show the same figures
afterwards; what disappears is only what needed a person: breakdowns (frozen in
the roll-up), the same-people progress (frozen for the year), individual exports
and the person's own history.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.awareness.models import AwarenessCampaign
from hygie.delivery.models import Delivery
from hygie.phishing.models import SimulationCampaign, SimulationEvent
from hygie.reporting.models import Report

from . import rollups
from .models import CampaignRollup, RetentionState, YearRollup

logger = logging.getLogger(__name__)
RUN_EVERY = dt.timedelta(days=1)
# Reports are kept retention_months times this many days (`reporting.retention`).
REPORT_DAYS_PER_MONTH = 30


def cutoff_for(organisation: Organisation, now: dt.datetime) -> dt.datetime:
    """`retention_months` calendar months before `now` (the day clamped to the month's end)."""
    months = now.year * 12 + now.month - 1 - organisation.retention_months
    year, month = divmod(months, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return now.replace(year=year, month=month, day=min(now.day, last_day))


def _expired(organisation: Organisation, cutoff: dt.datetime):  # type: ignore[no-untyped-def]
    found: list[AwarenessCampaign | SimulationCampaign] = []
    for model in (AwarenessCampaign, SimulationCampaign):
        found += (
            model.objects.filter(
                organisation=organisation,
                mailing__launched_at__lt=cutoff,
                mailing__deliveries__person__isnull=False,
            )
            .select_related("mailing", "organisation")
            .distinct()
        )
    return found


@transaction.atomic
def _anonymise(campaign: AwarenessCampaign | SimulationCampaign, now: dt.datetime) -> int:
    organisation = campaign.organisation
    year = rollups.year_of(rollups.started_at(campaign))
    # The last computation with people still linked, then frozen for good.
    rollup = rollups.compute(campaign)
    CampaignRollup.objects.filter(pk=rollup.pk).update(frozen_at=now)
    year_rollup = rollups.compute_year(organisation, year)
    awareness, simulations = rollups.mailings_of_year(organisation, year)
    deliveries = Delivery.objects.filter(mailing=campaign.mailing)
    # People of this campaign with no other linked message that year leave the live
    # count of the year's reach: keep them as a number.
    elsewhere = (
        rollups.linked_deliveries(awareness + simulations)
        .exclude(mailing=campaign.mailing)
        .values("person_id")
    )
    leaving = (
        rollups.linked_deliveries([campaign.mailing_id])
        .exclude(person_id__in=elsewhere)
        .values("person_id")
        .distinct()
        .count()
    )
    year_rollup.anonymised_reach += leaving
    if isinstance(campaign, SimulationCampaign) and year_rollup.transitions_frozen_at is None:
        year_rollup.transitions_frozen_at = now
    year_rollup.save()
    SimulationEvent.objects.filter(delivery__in=deliveries.values("pk")).update(
        source="", visitor=""
    )
    count = deliveries.filter(person__isnull=False).update(person=None, recipient="")
    YearRollup.objects.filter(pk=year_rollup.pk).update(computed_at=now)
    return count


def freeze_before_reports_go(organisation: Organisation, now: dt.datetime) -> int:
    """Freeze a simulation's roll-up before the first of its reports is deleted.

    Reports are deleted after `retention_months` times 30 days from their receipt
    (`reporting.retention`), which can come before this job's calendar cutoff; a time to
    report counts from the original message's Date, which only the report carries, so a
    roll-up recomputed after that would change. Frozen a little ahead (this job runs
    once a day), it keeps the figures computed with the reports. Returns how many."""
    horizon = (
        now
        - dt.timedelta(days=REPORT_DAYS_PER_MONTH * max(organisation.retention_months, 1))
        + 2 * RUN_EVERY
    )
    mailings = Report.objects.filter(
        organisation=organisation, received_at__lt=horizon, delivery__isnull=False
    ).values("delivery__mailing_id")
    done = 0
    for campaign in SimulationCampaign.objects.filter(
        organisation=organisation, mailing_id__in=mailings, mailing__launched_at__isnull=False
    ).select_related("mailing", "organisation"):
        frozen = CampaignRollup.objects.filter(
            kind=rollups.kind_of(campaign), campaign_id=campaign.pk, frozen_at__isnull=False
        )
        if frozen.exists():
            continue
        with transaction.atomic():
            rollup = rollups.compute(campaign)
            CampaignRollup.objects.filter(pk=rollup.pk).update(frozen_at=now)
        done += 1
    return done


def apply_retention(organisation: Organisation, now: dt.datetime | None = None) -> int:
    """Anonymise the campaigns launched before the cutoff. Returns the messages unlinked."""
    now = now or timezone.now()
    freeze_before_reports_go(organisation, now)
    cutoff = cutoff_for(organisation, now)
    total = 0
    for campaign in _expired(organisation, cutoff):
        count = _anonymise(campaign, now)
        logger.info(
            "retention applied",
            extra={"organisation": organisation.pk, "mailing": campaign.mailing_id, "count": count},
        )
        total += count
    return total


def retention_due() -> int:
    """Due-work source: once a day per organisation, claimed by a conditional update so
    that two schedulers never run it twice."""
    now = timezone.now()
    missing = Organisation.objects.exclude(
        pk__in=RetentionState.objects.values("organisation_id")
    ).values_list("pk", flat=True)
    RetentionState.objects.bulk_create(
        [RetentionState(organisation_id=pk, next_run_at=now) for pk in missing],
        ignore_conflicts=True,
    )
    done = 0
    for state in RetentionState.objects.filter(next_run_at__lte=now).select_related("organisation"):
        claimed = RetentionState.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
            next_run_at=now + RUN_EVERY, last_run_at=now
        )
        if not claimed:
            continue
        count = apply_retention(state.organisation, now)
        RetentionState.objects.filter(pk=state.pk).update(last_count=count)
        done += count
    return done
