"""Every figure of the programme dashboard, checked against a computation of our own
from the raw events (robots left out, first quiz attempt, people not messages)."""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.urls import reverse

from hygie.analytics import selectors
from hygie.awareness.models import AwarenessCampaign, QuizAttempt, ReadingEvent
from hygie.delivery.models import Delivery
from hygie.phishing.models import SimulationCampaign, SimulationEvent, Verdict


def wilson_percent(k: int, n: int) -> tuple[float, float]:
    z = 1.96
    p = k / n
    lo = (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
        1 + z * z / n
    )
    hi = (p + z * z / (2 * n) + z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
        1 + z * z / n
    )
    return round(100 * lo, 1), round(100 * hi, 1)


def human(events):
    return [e for e in events if (e.reviewed_verdict or e.verdict) != Verdict.AUTOMATED]


def expected_simulation(campaign: SimulationCampaign) -> dict[str, object]:
    deliveries = list(Delivery.objects.filter(mailing=campaign.mailing))
    clicked = submitted = reported = robots = 0
    delays = []
    for delivery in deliveries:
        events = list(SimulationEvent.objects.filter(delivery=delivery).order_by("at"))
        robots += len(events) - len(human(events))
        kinds = [e.kind for e in human(events)]
        clicked += "click" in kinds or "submit" in kinds
        submitted += "submit" in kinds
        reports = [e.at for e in human(events) if e.kind == "report"]
        if reports:
            reported += 1
            delays.append((reports[0] - delivery.sent_at).total_seconds() / 60)
    return {
        "sent": len(deliveries),
        "clicked": clicked,
        "submitted": submitted,
        "reported": reported,
        "robots": robots,
        "median": round(statistics.median(delays), 1) if delays else None,
    }


def expected_awareness(campaign: AwarenessCampaign) -> dict[str, object]:
    deliveries = list(Delivery.objects.filter(mailing=campaign.mailing))
    readers = {
        e.delivery_id for e in ReadingEvent.objects.filter(delivery__in=deliveries, automated=False)
    }
    first: dict[int, QuizAttempt] = {}
    for attempt in QuizAttempt.objects.filter(delivery__in=deliveries).order_by("completed_at"):
        first.setdefault(attempt.delivery_id, attempt)
    scores = [100 * a.score / a.total for a in first.values()]
    return {
        "sent": len(deliveries),
        "readers": len(readers),
        "takers": len(first),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
    }


def test_every_figure_matches_the_raw_events(world, admin, console):
    page = console(admin).get(reverse("analytics:overview"), {"year": 2025})
    assert page.status_code == 200
    p = page.context["p"]
    assert (p.awareness_count, p.simulation_count) == (2, 2)
    reached = (
        Delivery.objects.filter(
            mailing__in=[
                world.backups.mailing,
                world.updates.mailing,
                world.spring.mailing,
                world.summer.mailing,
            ]
        )
        .values("person")
        .distinct()
        .count()
    )
    assert p.people_reached == reached == 12
    assert p.incidents_total == 4

    by_theme = {t.theme: t for t in p.themes}
    for campaign in (world.backups, world.updates):
        expected = expected_awareness(campaign)
        row = by_theme[campaign.capsule.theme]
        assert (row.sent, row.read.count, row.read.total) == (
            expected["sent"],
            expected["readers"],
            expected["sent"],
        )
        assert (row.read.low, row.read.high) == wilson_percent(
            expected["readers"], expected["sent"]
        )
        assert row.quiz_takers == expected["takers"]
        assert row.average_score == expected["average"]
    # The robot's visit is not a reader; the retried quiz counts as first answered.
    assert by_theme["backups"].read.count == 7
    q = len(world.backups.capsule.quiz)
    wrongs = [1, 1, 2, 0, 1]  # people 0–4, person 0's first attempt (1 wrong) kept
    expected = round(sum(100 * (q - w) / q for w in wrongs) / 5, 1)
    assert by_theme["backups"].average_score == expected

    rows = {row.name: row for row in p.simulations}
    assert [row.name for row in p.simulations] == ["Printemps", "Été"]  # in the order sent
    for campaign in (world.spring, world.summer):
        expected = expected_simulation(campaign)
        row = rows[campaign.name]
        assert row.sent == expected["sent"]
        for rate, key in (
            (row.clicked, "clicked"),
            (row.submitted, "submitted"),
            (row.reported, "reported"),
        ):
            assert (rate.count, rate.total) == (expected[key], expected["sent"])
            assert (rate.low, rate.high) == wilson_percent(expected[key], expected["sent"])
        assert row.automated_hits == expected["robots"]
        assert row.median_report_minutes == expected["median"]
    assert rows["Printemps"].clicked.count == 6  # the sandbox's click is not one
    assert rows["Printemps"].median_report_minutes == 30.0


def test_page_shows_sample_sizes_intervals_and_the_charts(world, admin, console):
    page = console(admin).get(reverse("analytics:overview"), {"year": 2025})
    html = page.content.decode()
    spring = next(r for r in page.context["p"].simulations if r.name == "Printemps")
    # French page: decimal commas.
    assert f"[{spring.clicked.low}–{spring.clicked.high}]".replace(".", ",") in html
    # Themes and trend, a funnel per simulation, and 2024 against 2025.
    assert html.count('role="img"') == 2 + 2 + 1
    assert 'data-testid="simulation-progress"' in html  # the table behind the trend chart
    assert html.count('data-testid="funnel"') == 2 and 'data-testid="years"' in html


def test_the_year_selector_shows_only_that_year(world, admin, console):
    page = console(admin).get(reverse("analytics:overview"), {"year": 2024})
    p = page.context["p"]
    assert [row.name for row in p.simulations] == ["2024"]
    assert p.awareness_count == 0
    assert {2024, 2025} <= set(p.years)


def test_same_people_progress_counts_first_and_latest_simulation(world, admin, console):
    p = console(admin).get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    counts = {(t.first, t.latest): (t.count, t.state) for t in p.transitions}
    # People 0–1 clicked (0–1 submitted) both times; 2 clicked then reported; 3–5
    # clicked then reported; 6 did nothing (the robot's click is not theirs) then
    # reported; 7–8 reported then did nothing; 9–11 did nothing twice.
    assert counts[("submitted", "clicked")] == (2, "below")
    assert counts[("clicked", "reported")] == (4, "shown")
    assert counts[("ignored", "reported")] == (1, "below")
    assert counts[("reported", "ignored")] == (2, "below")
    assert counts[("ignored", "ignored")] == (3, "shown")
    assert p.transition_people == 12


def test_small_simulations_show_no_rates(world, admin, console):
    world.organisation.anonymity_threshold = 20
    world.organisation.save()
    page = console(admin).get(reverse("analytics:overview"), {"year": 2025})
    assert all(not row.shown for row in page.context["p"].simulations)
    assert "moins de 20 personnes" in page.content.decode()  # French by default
    assert all(row.average_score is None for row in page.context["p"].themes)


def test_another_organisation_sees_none_of_it(world, outsider, console):
    p = console(outsider).get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    assert (p.awareness_count, p.simulation_count, p.people_reached) == (0, 0, 0)


def test_console_home_shows_the_year_at_a_glance_to_those_who_see_results(
    world, admin, staff_of, console
):
    from hygie.accounts.roles import Role

    home = console(admin).get(reverse("console:dashboard"))
    glance = home.context["glance"]
    assert glance is not None
    assert "year-glance" in home.content.decode()
    handler = console(staff_of(Role.INCIDENT_HANDLER)).get(reverse("console:dashboard"))
    assert handler.context["glance"] is None
    assert "year-glance" not in handler.content.decode()


def test_glance_counts_the_year_and_its_latest_simulation(world):
    from hygie.analytics.selectors import glance

    g = glance(world.organisation, 2025)
    assert (g.awareness_count, g.simulation_count, g.people_reached) == (2, 2, 12)
    assert g.latest_simulation.name == "Été"
    assert g.latest_simulation.clicked.count == 2


def test_without_a_year_pages_open_on_the_latest_year_with_campaigns(
    world, admin, console, other_organisation
):
    organisation = world.organisation
    # Early January, nothing sent yet this year: last year's figures, not an empty page.
    assert selectors.default_year(organisation, dt.date(2026, 1, 5)) == 2025
    assert selectors.default_year(organisation, dt.date(2025, 1, 5)) == 2025
    assert selectors.default_year(organisation, dt.date(2024, 6, 1)) == 2024
    assert selectors.default_year(other_organisation, dt.date(2026, 1, 5)) == 2026
    page = console(admin).get(reverse("analytics:overview"))
    assert page.context["p"].year == selectors.default_year(organisation)


def test_the_annual_report_is_offered_for_the_finished_year_in_its_first_quarter(
    world, admin, console
):
    organisation = world.organisation
    assert selectors.report_default_year(organisation, dt.date(2025, 2, 1)) == 2024
    assert selectors.report_default_year(organisation, dt.date(2025, 6, 1)) == 2025
    page = console(admin).get(reverse("analytics:reports")).content.decode()
    year = selectors.report_default_year(organisation)
    assert f'<option value="{year}" selected>' in page
