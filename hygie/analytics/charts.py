"""Server-side SVG charts: the same markup in the console page and in the PDF.

No script and no style attribute (the console's CSP forbids inline styles):
presentation attributes only. Each chart is an image with a title and a
description; the page shows the table of the same figures next to it, which is
the text equivalent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2937"
GRID = "#d1d5db"
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#7c3aed")
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # percent; None = not shown (below k)


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # percent
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


def _frame(chart_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _short(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], unit: str = "%"
) -> SafeString:
    """Horizontal bars on a 0–100 scale, one per label, value written at the end."""
    left, bar_width, row = 230, 300, 24
    width, height = left + bar_width + 60, 20 + row * max(len(bars), 1)
    parts = [_frame(chart_id, title, description, width, height)]
    for tick in (0, 50, 100):
        x = left + bar_width * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{height - 4}" stroke="{GRID}"/>')
    for index, bar in enumerate(bars):
        y = 12 + index * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}" ' + FONT + ">"
                "{}</text>",
                left - 6,
                y + 12,
                INK,
                _short(bar.label),
            )
        )
        if bar.value is None:
            parts.append(
                f'<text x="{left + 4}" y="{y + 12}" font-size="11" fill="{INK}" {FONT}>—</text>'
            )
            continue
        length = bar_width * max(0.0, min(bar.value, 100.0)) / 100
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 12}" font-size="11" fill="{INK}" '
            f"{FONT}>{formats.localize(bar.value)} {escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_chart(
    chart_id: str, title: str, description: str, series: Sequence[Series]
) -> SafeString:
    """Lines across campaigns (0–100 %), each point with its interval as a whisker."""
    count = max((len(s.points) for s in series), default=0)
    left, top, plot_w, plot_h = 44, 12, max(120, 110 * count), 180
    width, height = left + plot_w + 20, top + plot_h + 70 + 16 * len(series)
    parts = [_frame(chart_id, title, description, width, height)]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{INK}" {FONT}>{tick} %</text>'
        )

    def x_of(index: int) -> float:
        return left + plot_w * (index + 0.5) / max(count, 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(value, 100.0)) / 100)

    if series:
        for index, point in enumerate(series[0].points):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}" '
                    + FONT
                    + ">{}</text>",
                    f"{x_of(index):.1f}",
                    top + plot_h + 16,
                    INK,
                    _short(point.label, 18),
                )
            )
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        shift = (number - (len(series) - 1) / 2) * 4  # whiskers side by side
        path = []
        for index, point in enumerate(one.points):
            if point.value is None:
                continue
            x = x_of(index) + shift
            if point.low is not None and point.high is not None:
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y_of(point.low):.1f}" x2="{x:.1f}" '
                    f'y2="{y_of(point.high):.1f}" stroke="{colour}" stroke-width="1.5"/>'
                )
            path.append(f"{x:.1f},{y_of(point.value):.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y_of(point.value):.1f}" r="3.5" fill="{colour}"/>'
            )
        if len(path) > 1:
            parts.append(
                f'<polyline points="{" ".join(path)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        legend_y = top + plot_h + 40 + 16 * number
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="4" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="{}" ' + FONT + ">{}</text>",
                left,
                legend_y - 4,
                colour,
                left + 18,
                legend_y,
                INK,
                one.name,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
