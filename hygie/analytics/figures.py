"""The programme's charts, built once for the console page and the annual report."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .charts import Bar, Point, Series, bar_chart, trend_chart
from .selectors import Programme
from .stats import Rate


def _point(label: str, rate: Rate, shown: bool) -> Point:
    if not shown:
        return Point(label, None)
    return Point(label, rate.percent, rate.low, rate.high)


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
