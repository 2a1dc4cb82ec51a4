"""The programme's charts, built once for the console page and the annual report."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hygie.accounts.models import Organisation

from .charts import (
    PALETTE,
    REPORT_COLOUR,
    Bar,
    Point,
    Series,
    Step,
    YearColumn,
    bar_chart,
    funnel_chart,
    trend_chart,
    year_chart,
)
from .selectors import Programme, SimulationRow, YearFigures, year_figures, years_figures
from .stats import Rate
from .summary import SummaryFigure, executive_summary, visible


def _point(label: str, rate: Rate, shown: bool) -> Point:
    if not shown:
        return Point(label, None)
    return Point(label, rate.percent, rate.low, rate.high)


@dataclass(frozen=True)
class FunnelFigure:
    """One simulation's funnel: the chart and the rows of its table equivalent."""

    row: SimulationRow
    chart: SafeString
    steps: list[Step]


def funnel_steps(row: SimulationRow) -> list[Step]:
    opened = (
        Step(_("Opened the message"), row.opened.percent)
        if row.opened is not None
        else Step(_("Opened the message"), None, _("not measured per person"))
    )
    return [
        Step(_("Received the message"), 100.0, f"n = {row.sent}"),
        opened,
        Step(_("Clicked the link"), row.clicked.percent),
        Step(_("Entered data in the form"), row.submitted.percent),
        Step(_("Reported the message"), row.reported.percent, report=True),
    ]


def funnels(programme: Programme) -> list[FunnelFigure]:
    """A large funnel per simulation the year counts; none for a simulation sent to
    fewer than k people (the page says so instead)."""
    found = []
    for number, row in enumerate(programme.simulations, start=1):
        if not row.shown:
            continue
        steps = funnel_steps(row)
        chart = funnel_chart(
            f"chart-funnel-{number}",
            _("Funnel of the simulation “%(name)s”") % {"name": row.name},
            _(
                "Of the %(n)s people who received it, the share who opened the message, "
                "clicked the link, entered data in the form and reported it. The table "
                "below gives the same figures."
            )
            % {"n": row.sent},
            steps,
        )
        found.append(FunnelFigure(row, chart, steps))
    return found


def years_chart(figures: list[YearFigures], threshold: int) -> SafeString | None:
    """Report, reported-without-clicking and click rates year by year, with the lures'
    difficulty under each year; None with fewer than two years to compare."""
    if len(figures) < 2:
        return None

    def shown(rate: Rate) -> float | None:
        return rate.percent if visible(rate, threshold) else None

    columns = [
        YearColumn(
            str(one.year),
            _("lures' difficulty %(d)s out of 5") % {"d": formats.localize(one.difficulty)}
            if one.difficulty is not None
            else "",
            [shown(one.reported), shown(one.reported_only), shown(one.clicked)],
        )
        for one in figures
    ]
    first, last = figures[0].year, figures[-1].year
    return year_chart(
        "chart-years",
        _("Year on year: report, reported-without-clicking and click rates"),
        _(
            "For each year from %(first)s to %(last)s, the share of the people who received "
            "a simulation who reported it, who reported it without clicking, and who clicked "
            "it, with the lures' average difficulty under the year. The table below gives "
            "the same figures."
        )
        % {"first": first, "last": last},
        [_("Reported"), _("Reported without clicking"), _("Clicked")],
        columns,
        # Reports in the funnel's report colour; clicks apart, in amber.
        colours=(REPORT_COLOUR, PALETTE[0], PALETTE[1]),
    )


def programme_charts(programme: Programme) -> dict[str, SafeString]:
    charts: dict[str, SafeString] = {}
    if programme.simulations:
        rows = programme.simulations
        charts["trend"] = trend_chart(
            "chart-trend",
            _("Simulations: click, submission and report rates"),
            _(
                "Rates among the people who received each simulation, in the order they "
                "were sent, each with its 95 % interval. The table below gives the figures."
            ),
            [
                Series(_("Clicked"), [_point(r.name, r.clicked, r.shown) for r in rows]),
                Series(_("Submitted"), [_point(r.name, r.submitted, r.shown) for r in rows]),
                Series(_("Reported"), [_point(r.name, r.reported, r.shown) for r in rows]),
            ],
        )
    if programme.themes:
        charts["themes"] = bar_chart(
            "chart-themes",
            _("Read rate per theme"),
            _("Share of the people reached who opened the capsule, per theme."),
            [Bar(row.label, row.read.percent) for row in programme.themes],
        )
    return charts


@dataclass(frozen=True)
class YearRow:
    """A row of the year-on-year table (a rate is None where it may not be shown)."""

    year: int
    simulations: int
    sent: int
    reported: Rate | None
    reported_only: Rate | None
    clicked: Rate | None
    difficulty: float | None


@dataclass(frozen=True)
class Board:
    """What opens the results page and the annual report: the year in five figures,
    one funnel per simulation and the year-on-year chart with its table."""

    summary: list[SummaryFigure]
    funnels: list[FunnelFigure]
    years_chart: SafeString | None
    years: list[YearRow]


def board(organisation: Organisation, programme: Programme) -> Board:
    threshold = programme.threshold
    current = year_figures(organisation, programme.year)
    previous = year_figures(organisation, programme.year - 1)
    history = years_figures(organisation, programme.year)

    def shown(rate: Rate) -> Rate | None:
        return rate if visible(rate, threshold) else None

    return Board(
        summary=executive_summary(current, previous, threshold),
        funnels=funnels(programme),
        years_chart=years_chart(history, threshold),
        years=[
            YearRow(
                one.year,
                one.simulations,
                one.clicked.total,
                shown(one.reported),
                shown(one.reported_only),
                shown(one.clicked),
                one.difficulty,
            )
            for one in history
        ],
    )
