"""The executive summary: the year in five figures, each with its trend against the
previous year and one plain sentence saying what it means.

A figure about fewer than k people is not shown (the small-cell rule of
`hygie.lib.small_cells`, applied to those who did and those who did not), and neither
is a comparison with such a figure. A change of rate is called better or worse only
when the two years' 95 % intervals do not overlap; a change in the lures' difficulty
is said beside the click and report rates, since a harder lure is not a step back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hygie.lib.small_cells import suppress

from .selectors import YearFigures
from .stats import Rate

Judgement = Literal["better", "worse", "same", ""]
# A change of difficulty worth saying (on the 1–5 scale), of median time (relative)
# and of quiz score (points) worth calling a change.
DIFFICULTY_STEP = 0.5
MEDIAN_STEP = 0.15
SCORE_STEP = 2.0


@dataclass(frozen=True)
class SummaryFigure:
    key: str
    label: str
    value: float | None  # percent or minutes; None: not shown
    shown_value: str  # as written ("23,4 %", "45 min"), "—" when not shown
    meaning: str
    trend: str
    judgement: Judgement


def _number(value: float) -> str:
    """1,5 and 30 (not 30,0)."""
    return str(formats.localize(int(value) if float(value).is_integer() else value))


def duration(minutes: float) -> str:
    """45 min, 2 h 05, 3 jours."""
    whole = round(minutes)
    if whole < 60:
        return _("%(m)s min") % {"m": whole}
    if whole < 48 * 60:
        return _("%(h)s h %(m)02d") % {"h": whole // 60, "m": whole % 60}
    days = round(whole / (24 * 60))
    return ngettext("%(d)s day", "%(d)s days", days) % {"d": days}


def visible(rate: Rate | None, threshold: int) -> bool:
    """A year's rate may be published: at least k people, and neither those who did nor
    those who did not are a small group."""
    if rate is None or not rate.total or rate.total < threshold:
        return False
    states = suppress([rate.count, rate.total - rate.count], threshold)
    return all(state == "shown" for state in states)


def _points(change: float) -> str:
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return ngettext("%(change)s point", "%(change)s points", int(abs(round(change, 1)))) % {
        "change": sign + _number(abs(round(change, 1)))
    }


def _no_comparison(previous: YearFigures | None, threshold: int) -> str:
    if previous is None:
        return _("First year: no comparison.")
    return _("No comparison: in %(year)s this figure concerned fewer than %(k)s people.") % {
        "year": previous.year,
        "k": threshold,
    }


def _judged(judgement: Judgement, year: int) -> str:
    if judgement == "better":
        return _("Better than in %(year)s.") % {"year": year}
    if judgement == "worse":
        return _("Less good than in %(year)s.") % {"year": year}
    return _("The gap stays within the margin of error.")


def _difficulty(current: YearFigures, previous: YearFigures | None, improved: bool) -> str:
    if previous is None or current.difficulty is None or previous.difficulty is None:
        return ""
    values = {
        "now": _number(current.difficulty),
        "before": _number(previous.difficulty),
        "year": previous.year,
    }
    change = current.difficulty - previous.difficulty
    if change >= DIFFICULTY_STEP and not improved:
        return (
            _(
                "The lures were harder (difficulty %(now)s out of 5, against %(before)s in "
                "%(year)s): a harder lure is not a step back."
            )
            % values
        )
    if change <= -DIFFICULTY_STEP and improved:
        return (
            _(
                "The lures were easier (difficulty %(now)s out of 5, against %(before)s in "
                "%(year)s): part of the progress may come from that."
            )
            % values
        )
    return ""


def _rate_figure(
    key: str,
    label: str,
    meaning: str,
    pick: str,
    lower_is_better: bool,
    current: YearFigures,
    previous: YearFigures | None,
    threshold: int,
) -> SummaryFigure:
    rate: Rate = getattr(current, pick)
    if not current.simulations:
        return SummaryFigure(key, label, None, "—", _("No simulation this year."), "", "")
    if not visible(rate, threshold):
        hidden = _("Fewer than %(k)s people: not shown.") % {"k": threshold}
        return SummaryFigure(key, label, None, "—", hidden, "", "")
    percent = rate.percent or 0.0
    text = meaning % {"n": round(percent)}
    before: Rate | None = getattr(previous, pick) if previous and previous.simulations else None
    if previous is None or not previous.simulations:
        return SummaryFigure(
            key, label, percent, f"{_number(percent)} %", text, _no_comparison(None, 0), ""
        )
    if before is None or not visible(before, threshold):
        trend = _no_comparison(previous, threshold)
        return SummaryFigure(key, label, percent, f"{_number(percent)} %", text, trend, "")
    change = percent - (before.percent or 0.0)
    improved = change < 0 if lower_is_better else change > 0
    judgement: Judgement = "same"
    if rate.low is not None and before.high is not None and rate.low > before.high:
        judgement = "worse" if lower_is_better else "better"
    elif rate.high is not None and before.low is not None and rate.high < before.low:
        judgement = "better" if lower_is_better else "worse"
    trend = " ".join(
        part
        for part in (
            _("%(change)s against %(year)s (%(previous)s %%).")
            % {
                "change": _points(change),
                "year": previous.year,
                "previous": _number(before.percent or 0.0),
            },
            _judged(judgement, previous.year),
            _difficulty(current, previous, improved),
        )
        if part
    )
    return SummaryFigure(key, label, percent, f"{_number(percent)} %", text, trend, judgement)


def _median_figure(
    current: YearFigures, previous: YearFigures | None, threshold: int
) -> SummaryFigure:
    label = _("Median time to report")
    minutes = current.median_report_minutes
    if not current.simulations:
        return SummaryFigure("median", label, None, "—", _("No simulation this year."), "", "")
    if minutes is None or len(current.report_minutes or []) < threshold:
        hidden = _("Fewer than %(k)s reports: not shown.") % {"k": threshold}
        return SummaryFigure("median", label, None, "—", hidden, "", "")
    text = _(
        "Half of the reports came within %(duration)s: the sooner a lure is reported, the "
        "sooner the others can be warned."
    ) % {"duration": duration(minutes)}
    before = previous.median_report_minutes if previous else None
    if previous is None or not previous.simulations:
        return SummaryFigure(
            "median", label, minutes, duration(minutes), text, _no_comparison(None, 0), ""
        )
    if before is None or len(previous.report_minutes or []) < threshold:
        trend = _no_comparison(previous, threshold)
        return SummaryFigure("median", label, minutes, duration(minutes), text, trend, "")
    judgement: Judgement = "same"
    if minutes < before * (1 - MEDIAN_STEP):
        judgement = "better"
    elif minutes > before * (1 + MEDIAN_STEP):
        judgement = "worse"
    words = {
        "better": _("Faster than in %(year)s (%(previous)s)."),
        "worse": _("Slower than in %(year)s (%(previous)s)."),
        "same": _("About as fast as in %(year)s (%(previous)s)."),
    }[judgement] % {"year": previous.year, "previous": duration(before)}
    return SummaryFigure("median", label, minutes, duration(minutes), text, words, judgement)


def _quiz_figure(
    current: YearFigures, previous: YearFigures | None, threshold: int
) -> SummaryFigure:
    label = _("Capsule quizzes answered right")
    score = current.quiz_score
    if not current.awareness:
        return SummaryFigure(
            "quiz", label, None, "—", _("No awareness campaign this year."), "", ""
        )
    if score is None or current.quiz_takers < threshold:
        hidden = _("Fewer than %(k)s people: not shown.") % {"k": threshold}
        return SummaryFigure("quiz", label, None, "—", hidden, "", "")
    text = _(
        "On average, %(n)s %% of the quiz answers were right at the first attempt, over "
        "%(takers)s people."
    ) % {"n": _number(score), "takers": current.quiz_takers}
    shown = f"{_number(score)} %"
    if previous is None or not previous.awareness:
        return SummaryFigure("quiz", label, score, shown, text, _no_comparison(None, 0), "")
    before = previous.quiz_score
    if before is None or previous.quiz_takers < threshold:
        trend = _no_comparison(previous, threshold)
        return SummaryFigure("quiz", label, score, shown, text, trend, "")
    change = score - before
    judgement: Judgement = "same"
    if change >= SCORE_STEP:
        judgement = "better"
    elif change <= -SCORE_STEP:
        judgement = "worse"
    trend = (
        _("%(change)s against %(year)s (%(previous)s %%).")
        % {"change": _points(change), "year": previous.year, "previous": _number(before)}
        + " "
        + {
            "better": _("Better than in %(year)s."),
            "worse": _("Less good than in %(year)s."),
            "same": _("About the same as in %(year)s."),
        }[judgement]
        % {"year": previous.year}
    )
    return SummaryFigure("quiz", label, score, shown, text, trend, judgement)


def executive_summary(
    current: YearFigures | None, previous: YearFigures | None, threshold: int
) -> list[SummaryFigure]:
    """The five figures of the year, reports first (the reflex that protects the others)."""
    if current is None:
        return []
    return [
        _rate_figure(
            "reported",
            _("Report rate"),
            _(
                "%(n)s in 100 people who received a simulation reported it: the reflex that "
                "protects the others."
            ),
            "reported",
            False,
            current,
            previous,
            threshold,
        ),
        _rate_figure(
            "reported_only",
            _("Reported without clicking"),
            _("%(n)s in 100 reported the message without clicking it: the right reflex, at once."),
            "reported_only",
            False,
            current,
            previous,
            threshold,
        ),
        _median_figure(current, previous, threshold),
        _rate_figure(
            "clicked",
            _("Click rate"),
            _("%(n)s in 100 people clicked the link of a simulation."),
            "clicked",
            True,
            current,
            previous,
            threshold,
        ),
        _quiz_figure(current, previous, threshold),
    ]
