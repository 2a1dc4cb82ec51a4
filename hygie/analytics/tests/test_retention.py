"""Retention: old events are unlinked from people, and every figure stays the same."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hygie.analytics import retention, rollups, selectors
from hygie.analytics.models import CampaignRollup, Dimension, RetentionState
from hygie.awareness.selectors import results
from hygie.delivery.models import Delivery
from hygie.phishing.models import SimulationEvent
from hygie.phishing.selectors import funnel

APRIL_2026 = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)


def everything(organisation):
    """All the figures a staff member can see, without the computation times."""
    figures = {}
    for year in (2024, 2025):
        p = selectors.programme(organisation, year)
        figures[year] = dataclasses.replace(p, computed_at=None, years=[])
    for rollup in CampaignRollup.objects.filter(organisation=organisation):
        for dimension in Dimension.values:
            b = selectors.breakdown(rollup, dimension)
            figures[(rollup.kind, rollup.campaign_id, dimension)] = (b.rows, b.total)
    return figures


def test_figures_before_purge_equal_figures_after(world):
    organisation = world.organisation
    organisation.retention_months = 12
    organisation.save()
    before = everything(organisation)
    pages_before = (
        results(world.backups),
        funnel(world.spring),
    )

    # Hits carry the keyed hashes of their address and of their visitor (address and browser).
    SimulationEvent.objects.update(source="a1b2c3", visitor="d4e5f6")
    unlinked = retention.apply_retention(organisation, now=APRIL_2026)

    # Cutoff 2025-04-01: the 2024 simulation, both capsules and the spring simulation.
    assert unlinked == 4 * 12
    for campaign in (world.older, world.backups, world.updates, world.spring):
        deliveries = Delivery.objects.filter(mailing=campaign.mailing)
        assert not deliveries.filter(person__isnull=False).exists()
        assert set(deliveries.values_list("recipient", flat=True)) == {""}
    assert (
        not SimulationEvent.objects.filter(delivery__mailing=world.spring.mailing)
        .exclude(source="", visitor="")
        .exists()
    )
    # The summer simulation is younger than the cutoff: untouched.
    assert not Delivery.objects.filter(mailing=world.summer.mailing, person__isnull=True).exists()

    # Later refreshes recompute the live roll-ups and leave the frozen ones alone.
    rollups.refresh(organisation, stale_too=False, everything=True)
    after = everything(organisation)
    assert after == before
    assert after[2024].people_reached == 12  # kept as a number once unlinked
    assert (results(world.backups), funnel(world.spring)) == pages_before


def test_a_second_run_has_nothing_left_to_do(world):
    world.organisation.retention_months = 12
    world.organisation.save()
    retention.apply_retention(world.organisation, now=APRIL_2026)
    assert retention.apply_retention(world.organisation, now=APRIL_2026) == 0


def test_the_due_work_source_runs_once_a_day_per_organisation(organisation):
    assert retention.retention_due() == 0
    state = RetentionState.objects.get(organisation=organisation)
    assert state.last_run_at is not None
    next_run = state.next_run_at
    retention.retention_due()  # a second scheduler, or the next tick: not due yet
    state.refresh_from_db()
    assert state.next_run_at == next_run


def test_cutoff_counts_calendar_months():
    class Org:
        retention_months = 24

    assert retention.cutoff_for(Org(), dt.datetime(2026, 3, 31, tzinfo=dt.UTC)) == dt.datetime(
        2024, 3, 31, tzinfo=dt.UTC
    )
    Org.retention_months = 1
    assert retention.cutoff_for(Org(), dt.datetime(2026, 3, 31, tzinfo=dt.UTC)) == dt.datetime(
        2026, 2, 28, tzinfo=dt.UTC
    )


def test_the_years_clue_figures_are_rolled_up_and_survive_the_purge(world):
    """The year's per-clue figures come from the campaigns' roll-ups: frozen with them by
    the retention job, like every other figure of the year."""
    from hygie.phishing.models import ClueAnswer

    organisation = world.organisation
    organisation.retention_months = 12
    organisation.save()
    spring, summer = world.deliveries["s1"], world.deliveries["s2"]
    people = world.people
    for index, person in enumerate(people[:6]):  # the spring's clickers
        ClueAnswer.objects.create(
            delivery=spring[person], moment="clicked", clues=["1"] if index < 4 else ["2"]
        )
    for person in (people[7], people[8], people[2]):  # the spring's reporters
        ClueAnswer.objects.create(delivery=spring[person], moment="reported", clues=["1", "2"])
    for person in people[2:7]:  # the summer's reporters
        ClueAnswer.objects.create(delivery=summer[person], moment="reported", clues=["1"])
    rollups.refresh(organisation, stale_too=False, everything=True)
    before = selectors.programme(organisation, 2025).clue_errors
    assert before.clicked_answers == 6 and before.reported_answers == 8
    missed = {(row.scenario, row.number): row.missed for row in before.rows if row.missed}
    assert max((rate.count, rate.total) for rate in missed.values()) == (4, 6)

    retention.apply_retention(organisation, now=APRIL_2026)
    # A tap on the explanation of a message unlinked from its person (its link still
    # opens): the spring's frozen figures do not move, as none of its other figures do.
    ClueAnswer.objects.create(delivery=spring[people[6]], moment="clicked", clues=["2"])
    rollups.refresh(organisation, stale_too=False, everything=True)
    assert selectors.programme(organisation, 2025).clue_errors == before


def test_times_to_report_survive_the_reports_purge(world):
    """Reports go after 12 × 30 days from their receipt, before this job's 12 calendar
    months: the simulation's roll-up is frozen first, with the original message's Date
    that only the report carried."""
    from hygie.reporting.models import Report
    from hygie.reporting.retention import purge_expired_reports

    organisation = world.organisation
    organisation.retention_months = 12
    organisation.save()
    feb = dt.datetime(2025, 2, 3, 9, tzinfo=dt.UTC)  # the spring simulation's launch
    Report.objects.create(
        organisation=organisation,
        delivery=world.deliveries["s1"][world.people[7]],
        original_sent_at=feb + dt.timedelta(minutes=10),
        received_at=feb + dt.timedelta(minutes=30),
    )
    rollups.refresh(organisation, stale_too=False, everything=True)
    before = selectors.programme(organisation, 2025)
    spring = next(row for row in before.simulations if row.name == "Printemps")
    # 20 min from the original Date (not 30 from our sending), 20 and 90 for the others.
    assert spring.median_report_minutes == 20.0

    now = feb + dt.timedelta(days=361)  # the report is past 360 days, the launch within a year
    retention.apply_retention(organisation, now=now)
    assert purge_expired_reports(now=now) == 1
    rollups.refresh(organisation, stale_too=True, everything=True, now=now)
    after = selectors.programme(organisation, 2025)
    assert next(r for r in after.simulations if r.name == "Printemps") == spring
    # The spring's three reports and the summer's five.
    assert selectors.year_figures(organisation, 2025).report_minutes == [
        10,
        15,
        20,
        20,
        20,
        25,
        30,
        90,
    ]
