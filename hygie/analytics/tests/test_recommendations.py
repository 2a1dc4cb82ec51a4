"""Theme recommendation from the data, with the reasons shown."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from hygie.analytics.recommendations import recommend_themes
from hygie.library.themes import THEMES

JULY = dt.date(2025, 7, 1)


def test_weak_quiz_clicks_incidents_and_coverage_make_the_ranking(world):
    ranked = recommend_themes(world.organisation, today=JULY)
    by_theme = {r.theme: r for r in ranked}
    # Updates: every quiz taker missed two questions of the quiz.
    questions = len(world.updates.capsule.quiz)
    average = round(100 * (questions - 2) / questions)
    assert any(
        f"Average quiz score of {average} %" in reason for reason in by_theme["updates"].reasons
    )
    # Phishing emails: 14 of the 36 people who received one of the three simulations of
    # the last two years clicked.
    assert any("38.9 %" in reason for reason in by_theme["phishing_email"].reasons)
    # Ransomware: three incidents in the last twelve months (k = 3, so the count is shown).
    assert any("3 incidents" in reason for reason in by_theme["ransomware"].reasons)
    # Backups, covered five months ago: coverage is no reason; the first attempts' average
    # (people 0 to 4 missed 1, 1, 2, 0 and 1 questions) is the only possible one.
    questions = len(world.backups.capsule.quiz)
    backups_average = sum(100 * (questions - w) / questions for w in (1, 1, 2, 0, 1)) / 5
    if backups_average >= 80:
        assert "backups" not in by_theme
    else:
        assert by_theme["backups"].reasons == [
            f"Average quiz score of {round(backups_average)} % (5 people)."
        ]
    assert any("Never covered" in reason for reason in by_theme["passwords_mfa"].reasons)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    assert set(by_theme) <= set(THEMES)
    # Never covered, clicked and reported beats merely never covered.
    assert by_theme["ransomware"].score > by_theme["passwords_mfa"].score


def test_time_since_a_theme_was_covered_adds_up(world):
    later = recommend_themes(world.organisation, today=dt.date(2026, 3, 1))
    backups = next(r for r in later if r.theme == "backups")
    assert any("Last covered 13 months ago" in reason for reason in backups.reasons)


def test_small_incident_counts_are_not_given_in_reasons(world):
    world.organisation.anonymity_threshold = 5
    world.organisation.save()
    ranked = {r.theme: r for r in recommend_themes(world.organisation, today=JULY)}
    reasons = " ".join(ranked["ransomware"].reasons)
    assert "3 incidents" not in reasons and "Incidents reported" in reasons


def test_the_console_shows_the_reasons(world, admin, console):
    html = console(admin).get(reverse("analytics:overview")).content.decode()
    assert 'data-testid="recommendations"' in html


def test_the_programme_uses_the_recommendation_for_automatic_themes(monkeypatch, organisation):
    from hygie.analytics import recommendations
    from hygie.analytics.recommendations import Recommendation, programme_ranker
    from hygie.awareness.programme import THEME_RANKERS

    assert programme_ranker in THEME_RANKERS
    monkeypatch.setattr(
        recommendations,
        "recommend_themes",
        lambda organisation, **kwargs: [
            Recommendation("ransomware", 3.0, ["weak quiz"]),
            Recommendation("not-a-candidate", 2.0),
            Recommendation("passwords", 0.0),
        ],
    )
    assert programme_ranker(organisation, ["passwords", "ransomware", "phishing"]) == ["ransomware"]
