"""The executive summary: the year in five figures, each with its trend against the
previous year (or "première année"), a plain sentence, small cells hidden, and the
lures' difficulty said beside the rates so that a hard lure is not read as a step back."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.analytics.selectors import YearFigures
from hygie.analytics.stats import Rate
from hygie.analytics.summary import duration, executive_summary
from hygie.testing.text import plain


def year(
    number: int,
    *,
    sent: int = 200,
    clicked: int = 40,
    reported: int = 60,
    reported_only: int = 50,
    minutes: list[int] | None = None,
    difficulty: float | None = 2.0,
    quiz_takers: int = 100,
    score_sum: float = 7000.0,
) -> YearFigures:
    return YearFigures(
        year=number,
        simulations=2,
        awareness=3,
        clicked=Rate(clicked, sent),
        reported=Rate(reported, sent),
        reported_only=Rate(reported_only, sent),
        report_minutes=sorted(minutes if minutes is not None else [20] * 30 + [90] * 30),
        difficulty=difficulty,
        quiz_takers=quiz_takers,
        score_sum=score_sum,
    )


def by_key(figures):
    return {f.key: f for f in figures}


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_first_year_gives_five_figures_each_saying_first_year():
    figures = executive_summary(year(2025), None, threshold=5)
    assert [f.key for f in figures] == ["reported", "reported_only", "median", "clicked", "quiz"]
    for figure in figures:
        assert figure.trend == "Première année : pas de comparaison."
        assert figure.value is not None and figure.meaning
    found = by_key(figures)
    assert found["reported"].shown_value == "30 %"
    assert found["reported"].meaning.startswith("30 personnes sur 100 ayant reçu une simulation")
    assert found["clicked"].meaning == (
        "20 personnes sur 100 ont cliqué sur le lien d'une simulation."
    )
    assert found["median"].value == 55.0 and found["median"].shown_value == "55 min"
    assert found["quiz"].shown_value == "70 %"


def test_trend_against_the_previous_year_is_judged_on_the_intervals():
    before = year(2024, reported=30, clicked=40)
    now = year(2025, reported=70, clicked=36, minutes=[10] * 40 + [30] * 30)
    found = by_key(executive_summary(now, before, threshold=5))
    # 35 % against 15 %: the intervals do not overlap.
    assert found["reported"].trend == "+20 points par rapport à 2024 (15 %). Mieux qu'en 2024."
    assert found["reported"].judgement == "better"
    # 18 % against 20 %: within the margin of error, and "point" stays singular under 2.
    assert found["clicked"].trend.startswith("−2 points par rapport à 2024 (20 %).")
    assert found["clicked"].judgement == "same"
    assert "marge d'incertitude" in found["clicked"].trend
    assert found["median"].judgement == "better"
    assert found["median"].trend == "Plus rapide qu'en 2024 (55 min)."
    one = by_key(executive_summary(year(2025, reported=63), year(2024), threshold=5))
    assert one["reported"].trend.startswith("+1,5 point par rapport à 2024")


def test_a_harder_lure_is_not_read_as_a_step_back():
    before = year(2024, clicked=20, difficulty=2.0)
    now = year(2025, clicked=60, difficulty=4.0)
    clicked = by_key(executive_summary(now, before, threshold=5))["clicked"]
    assert clicked.judgement == "worse"
    assert (
        "Les leurres étaient plus difficiles (difficulté 4 sur 5, contre 2 en 2024) : "
        "un leurre plus difficile n'est pas un recul." in clicked.trend
    )
    # The same rise on lures as hard as last year's says nothing of difficulty.
    same = by_key(executive_summary(year(2025, clicked=60), before, threshold=5))["clicked"]
    assert "difficiles" not in same.trend
    # Easier lures are said beside a progress, never beside a step back.
    harder_before = year(2024, clicked=40, difficulty=4.0)
    fewer = by_key(executive_summary(year(2025, clicked=20), harder_before, 5))["clicked"]
    assert "Les leurres étaient plus faciles (difficulté 2 sur 5, contre 4 en 2024)" in fewer.trend
    more = by_key(executive_summary(year(2025, clicked=80), harder_before, 5))["clicked"]
    assert "faciles" not in more.trend and more.judgement == "worse"


def test_small_cells_are_hidden_and_not_compared():
    # Four reporters of 200 (k = 5): hidden, and so is last year's comparison.
    small = year(2025, reported=4, reported_only=4, minutes=[5, 6, 7, 8], quiz_takers=3)
    found = by_key(executive_summary(small, year(2024), threshold=5))
    assert found["reported"].value is None and found["reported"].shown_value == "—"
    assert found["reported"].meaning == "Moins de 5 personnes : non affiché."
    assert found["reported"].trend == ""
    assert found["median"].value is None
    assert found["median"].meaning == "Moins de 5 signalements : non affiché."
    assert found["quiz"].value is None
    # 197 of 200 clicked: the three who did not are a small group, so hidden too.
    assert by_key(executive_summary(year(2025, clicked=197), None, 5))["clicked"].value is None
    # Last year's figure was a small cell: no comparison with it.
    shown = by_key(executive_summary(year(2025), year(2024, reported=3), threshold=5))
    assert shown["reported"].value == 30.0
    assert shown["reported"].trend == (
        "Pas de comparaison : en 2024, ce chiffre portait sur moins de 5 personnes."
    )


def test_durations_read_plainly():
    assert [duration(m) for m in (45, 125, 3 * 24 * 60)] == ["45 min", "2 h 05", "3 jours"]


def test_results_page_opens_with_the_summary(world, admin, console):
    page = console(admin).get(reverse("analytics:overview"), {"year": 2025})
    text = plain(page.content.decode())
    assert text.index("L'année en cinq chiffres") < text.index("L'année en un coup d'œil")
    found = by_key(page.context["board"].summary)
    # 2024 had a simulation and no capsule: the quiz figure has no year to compare with.
    assert found["quiz"].trend == "Première année : pas de comparaison."
    assert "par rapport à 2024" in found["clicked"].trend
