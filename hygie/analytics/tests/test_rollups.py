"""Roll-ups: computed when missing, brought up to date by the scheduler, claimed once."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from hygie.analytics import rollups
from hygie.analytics.models import CampaignRollup
from hygie.analytics.retention import retention_due
from hygie.operations.schedule import DUE_WORK_SOURCES
from hygie.phishing.models import HitKind

from . import builders as b


def test_the_scheduler_runs_the_refresh_and_the_retention():
    assert rollups.refresh_due in DUE_WORK_SOURCES
    assert retention_due in DUE_WORK_SOURCES


def test_a_stale_rollup_is_recomputed_by_the_due_work_source(world, admin, console):
    url = reverse("analytics:overview")
    before = console(admin).get(url, {"year": 2025}).context["p"]
    summer = next(r for r in before.simulations if r.name == "Été")
    late = world.deliveries["s2"][world.people[11]]
    b.hit(late, HitKind.REPORT, at=dt.datetime(2025, 6, 9, tzinfo=dt.UTC))

    # Fresh roll-ups are not recomputed on each page or tick.
    assert rollups.refresh_due() == 0
    again = console(admin).get(url, {"year": 2025}).context["p"]
    assert next(r for r in again.simulations if r.name == "Été") == summer

    CampaignRollup.objects.update(computed_at=timezone.now() - dt.timedelta(days=2))
    assert rollups.refresh_due() == 5  # every campaign of the organisation, once
    assert rollups.refresh_due() == 0
    after = console(admin).get(url, {"year": 2025}).context["p"]
    updated = next(r for r in after.simulations if r.name == "Été")
    assert updated.reported.count == summer.reported.count + 1


def test_a_claimed_rollup_is_not_computed_twice(world, monkeypatch):
    rollups.refresh(world.organisation, stale_too=False)
    CampaignRollup.objects.update(computed_at=timezone.now() - dt.timedelta(days=2))
    taken = CampaignRollup.objects.filter(organisation=world.organisation).first()
    segments = rollups._segments

    def another_scheduler_claims_one(organisation):  # between our read and our claim
        CampaignRollup.objects.filter(pk=taken.pk).update(computed_at=timezone.now())
        return segments(organisation)

    monkeypatch.setattr(rollups, "_segments", another_scheduler_claims_one)
    assert rollups.refresh(world.organisation, stale_too=True) == 4


def test_two_schedulers_computing_the_same_missing_rollup_do_not_crash(world, monkeypatch):
    CampaignRollup.objects.all().delete()
    insert = rollups._insert
    raced: list[int] = []

    def the_other_scheduler_saves_first(rollup):
        if not raced:  # between our delete and our insert, the other one commits
            raced.append(rollup.campaign_id)
            twin = CampaignRollup(
                **{
                    f.attname: getattr(rollup, f.attname)
                    for f in CampaignRollup._meta.concrete_fields
                    if not f.primary_key
                }
            )
            CampaignRollup.objects.bulk_create([twin])
        return insert(rollup)

    monkeypatch.setattr(rollups, "_insert", the_other_scheduler_saves_first)
    assert rollups.refresh(world.organisation, stale_too=False) == 5
    assert raced
    rows = list(CampaignRollup.objects.values_list("kind", "campaign_id"))
    assert len(rows) == len(set(rows)) == 5


def test_rollups_keep_opens_and_each_time_to_report_for_the_year(organisation, admin):
    """The funnel's opens come from the roll-up (None when opens are not tracked per
    person), and the year's median time to report is over the year's reports, not a
    median of the simulations' medians."""
    from hygie.analytics.selectors import year_figures

    organisation.track_individual_opens = True
    organisation.save()
    b.setup_library(organisation)
    people = [p.pk for p in b.make_people(organisation, [{"profession": "doctor"}] * 6)]
    at = dt.datetime(2025, 5, 5, 9, tzinfo=dt.UTC)
    may, one = b.launch_simulation(organisation, admin, "alerte-connexion-inhabituelle", at, "Mai")
    june_at = at + dt.timedelta(days=30)
    june, two = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", june_at, "Juin"
    )
    b.hit(one[people[0]], HitKind.OPEN, at=at + dt.timedelta(minutes=1))
    b.hit(one[people[1]], at=at + dt.timedelta(minutes=2))  # a click is an open too
    for person, minutes in ((people[2], 10), (people[3], 30), (people[4], 40)):
        b.hit(one[person], HitKind.REPORT, at=at + dt.timedelta(minutes=minutes))
    b.hit(two[people[0]], HitKind.REPORT, at=june_at + dt.timedelta(minutes=50))
    b.hit(two[people[1]], HitKind.REPORT, at=june_at + dt.timedelta(minutes=60))
    rollups.refresh(organisation, stale_too=False, everything=True)

    rollup = CampaignRollup.objects.get(campaign_id=may.pk, kind="simulation")
    assert rollup.opened == 2  # the opener and the clicker, as on the results page
    assert rollup.report_minutes == [10, 30, 40]
    figures = year_figures(organisation, 2025)
    # Medians 30 and 55 would give 42.5; over the five reports it is 40.
    assert figures.median_report_minutes == 40.0

    organisation.track_individual_opens = False
    organisation.save()
    rollups.refresh(organisation, stale_too=False, everything=True)
    assert CampaignRollup.objects.get(campaign_id=june.pk, kind="simulation").opened is None
