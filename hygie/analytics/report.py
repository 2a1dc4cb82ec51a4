"""The annual report for the board: the year's programme as a PDF in French."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone, translation

from hygie.accounts.models import Organisation
from hygie.lib.pdf import render_pdf

from .figures import board, programme_charts
from .recommendations import recommend_themes
from .selectors import programme


def render_annual_report(
    organisation: Organisation,
    year: int,
    progress: Callable[[int], None] = lambda percent: None,
) -> bytes:
    """The PDF bytes, in French; `progress` hears how far it got (percent)."""
    # Labels and reasons are translated when computed, so the whole build is in French.
    with translation.override("fr"):
        figures = programme(organisation, year)
        progress(40)
        charts = programme_charts(figures)
        summary = board(organisation, figures)
        recommendations = recommend_themes(organisation, limit=5)
    progress(60)
    content = render_pdf(
        "analytics/annual_report.html",
        {
            "organisation": organisation,
            "brand_colour": organisation.brand_colour,
            "p": figures,
            "charts": charts,
            "board": summary,
            "recommendations": recommendations,
            "generated_at": timezone.now(),
        },
        language="fr",
    )
    progress(95)
    return content
