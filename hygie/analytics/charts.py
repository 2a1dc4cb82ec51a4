"""Server-side SVG charts: the same markup in the console page and in the PDF.

No script and no style attribute (the console's CSP forbids inline styles):
presentation attributes only. Each chart is an image with a title and a
description; the page shows the table of the same figures next to it, which is
the text equivalent.

Labels are never cut: a long label wraps over several lines, and the room given
to labels is measured from the text (a word longer than a line gets a line of its
own and widens the chart). The width of a text is estimated from DejaVu Sans, the
font of the PDF and the first of the page's list, on the generous side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2937"
GRID = "#d1d5db"
MUTED = "#6b7280"
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#7c3aed")
REPORT_COLOUR = "#047857"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
LINE_HEIGHT = 1.25  # of the font size

# Advance widths in em, rounded up from DejaVu Sans (the widest of the fonts listed).
_NARROW = set("iljtf.,;:!'|()[]/ \u00a0\u202f")
_WIDE = set("mwMW@%—…")


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width of `text` at `size` px."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.36
        elif char in _WIDE:
            width += 0.92
        elif char.isupper() or char.isdigit():
            width += 0.72
        else:
            width += 0.62
    return width * size


def wrap(text: str, max_width: float, size: float) -> list[str]:
    """`text` in lines of at most `max_width` px, cut between words only."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _lines_width(lines: Sequence[str], size: float) -> float:
    return max((text_width(line, size) for line in lines), default=0.0)


def _text(
    x: float,
    y: float,
    lines: Sequence[str],
    size: float,
    *,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "",
) -> str:
    """A text of one or more lines; `y` is the baseline of the first line."""
    bold = f' font-weight="{weight}"' if weight else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if index == 0 else size * LINE_HEIGHT:.1f}">'
        f"{escape(line)}</tspan>"
        for index, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}" '
        f'fill="{fill}"{bold} {FONT}>{spans}</text>'
    )


def _frame(chart_id: str, title: str, description: str, width: float, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _percent(value: float, unit: str = "%") -> str:
    number = int(value) if float(value).is_integer() else value
    return f"{formats.localize(number)} {unit}"


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


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], unit: str = "%"
) -> SafeString:
    """Horizontal bars on a 0–100 scale, one per label, value written at the end."""
    size, bar_width, label_room = 11, 300, 220
    wrapped = [wrap(bar.label, label_room, size) for bar in bars]
    left = 10 + max([label_room, *(_lines_width(lines, size) for lines in wrapped)]) + 6
    rows = [max(24.0, 10 + size * LINE_HEIGHT * len(lines)) for lines in wrapped]
    width, height = left + bar_width + 70, 20 + sum(rows)
    parts = [_frame(chart_id, title, description, width, height)]
    for tick in (0, 50, 100):
        x = left + bar_width * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{height - 4}" stroke="{GRID}"/>')
    y = 12.0
    for bar, lines, row in zip(bars, wrapped, rows, strict=True):
        parts.append(_text(left - 6, y + 12, lines, size, anchor="end"))
        if bar.value is None:
            parts.append(_text(left + 4, y + 12, ["—"], size))
        else:
            length = bar_width * max(0.0, min(bar.value, 100.0)) / 100
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 2:.1f}" width="{length:.1f}" height="16" '
                f'fill="{PALETTE[0]}"/>'
            )
            parts.append(_text(left + length + 4, y + 12, [_percent(bar.value, unit)], size))
        y += row
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def trend_chart(
    chart_id: str, title: str, description: str, series: Sequence[Series]
) -> SafeString:
    """Lines across campaigns (0–100 %), each point with its interval as a whisker."""
    count = max((len(s.points) for s in series), default=0)
    left, top, plot_h = 44, 12, 180
    slot = 110.0
    points = series[0].points if series else []
    labels = [wrap(point.label, slot - 8, 10) for point in points]
    # A single word wider than its slot widens every slot rather than being cut.
    slot = max([slot, *(_lines_width(lines, 10) + 8 for lines in labels)])
    plot_w = max(120, slot * count)
    label_h = 10 * LINE_HEIGHT * max((len(lines) for lines in labels), default=1)
    legend = [wrap(one.name, 400, 11) for one in series]
    legend_top = top + plot_h + 20 + label_h
    legend_h = sum(11 * LINE_HEIGHT * len(lines) + 4 for lines in legend)
    width = left + max(plot_w, 18 + _lines_width([line for ls in legend for line in ls], 11)) + 20
    height = legend_top + legend_h + 8
    parts = [_frame(chart_id, title, description, width, height)]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, [f"{tick} %"], 10, anchor="end"))

    def x_of(index: int) -> float:
        return left + plot_w * (index + 0.5) / max(count, 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(value, 100.0)) / 100)

    for index, lines in enumerate(labels):
        parts.append(_text(x_of(index), top + plot_h + 16, lines, 10, anchor="middle"))
    legend_y = legend_top
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
        parts.append(
            f'<rect x="{left}" y="{legend_y - 4:.1f}" width="12" height="4" fill="{colour}"/>'
        )
        parts.append(_text(left + 18, legend_y, legend[number], 11))
        legend_y += 11 * LINE_HEIGHT * len(legend[number]) + 4
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


# --- One simulation's funnel ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    value: float | None  # percent of the people who received the message; None: not shown
    note: str = ""  # written after the value ("n = 120", "non mesuré")
    report: bool = False  # reporting, drawn apart from the funnel's steps


def funnel_chart(chart_id: str, title: str, description: str, steps: Sequence[Step]) -> SafeString:
    """One large funnel: a bar per step under its label, the width of each the share of
    the people who received the message, its value written at its end, the report drawn
    apart in its own colour. Labels sit above the bars so the drawing stays narrow enough
    to be read on a phone."""
    size, bar_width, bar_h, left = 14, 380, 22, 8
    values = [
        _percent(step.value) + (f" · {step.note}" if step.note else "")
        if step.value is not None
        else (step.note or "—")
        for step in steps
    ]
    lengths = [
        bar_width * max(0.0, min(step.value, 100.0)) / 100 if step.value is not None else 0.0
        for step in steps
    ]
    ends = [
        length + 6 + text_width(text, size) for length, text in zip(lengths, values, strict=True)
    ]
    reach = max([float(bar_width), *ends])
    wrapped = [wrap(step.label, reach, size) for step in steps]
    reach = max([reach, *(_lines_width(lines, size) for lines in wrapped)])
    rows = [size * LINE_HEIGHT * len(lines) + bar_h + 14 for lines in wrapped]
    gaps = [12.0 if step.report and index else 0.0 for index, step in enumerate(steps)]
    width = left + reach + 8
    height = 8 + sum(rows) + sum(gaps)
    parts = [_frame(chart_id, title, description, width, height)]
    y = 4.0
    for step, lines, row, gap, text, length in zip(
        steps, wrapped, rows, gaps, values, lengths, strict=True
    ):
        y += gap
        if gap:
            parts.append(
                f'<line x1="{left:.1f}" y1="{y - gap / 2:.1f}" x2="{left + bar_width:.1f}" '
                f'y2="{y - gap / 2:.1f}" stroke="{GRID}" stroke-dasharray="4 3"/>'
            )
        parts.append(_text(left, y + size, lines, size, weight="bold"))
        top = y + size * LINE_HEIGHT * len(lines) + 4
        colour = REPORT_COLOUR if step.report else PALETTE[0]
        parts.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{bar_width}" height="{bar_h}" '
            f'fill="{GRID}" fill-opacity="0.35"/>'
        )
        if step.value is not None:
            parts.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{length:.1f}" '
                f'height="{bar_h}" fill="{colour}"/>'
            )
        parts.append(_text(left + length + 6, top + bar_h / 2 + size * 0.35, [text], size))
        y += row
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


# --- Year on year ---------------------------------------------------------------


@dataclass(frozen=True)
class YearColumn:
    label: str  # the year
    note: str  # under the year, wrapped ("difficulté moyenne 2,5")
    values: Sequence[float | None]  # one per series, percent; None: not shown


def year_chart(
    chart_id: str,
    title: str,
    description: str,
    names: Sequence[str],
    columns: Sequence[YearColumn],
    colours: Sequence[str] = PALETTE,
) -> SafeString:
    """Grouped bars, one group per year and one bar per series, the value above each bar."""
    size, top, plot_h, left = 11, 16, 200, 44
    bar_w, bar_gap = 30, 6
    group_w = float(len(names) * (bar_w + bar_gap) + 30)
    notes = [wrap(column.note, group_w - 10, 10) if column.note else [] for column in columns]
    group_w = max([group_w, *(_lines_width(lines, 10) + 10 for lines in notes)])
    plot_w = max(200, group_w * len(columns))
    legend = [wrap(name, 420, size) for name in names]
    note_h = 10 * LINE_HEIGHT * max((len(lines) for lines in notes), default=0)
    legend_top = top + plot_h + 22 + note_h + 14
    legend_h = sum(size * LINE_HEIGHT * len(lines) + 6 for lines in legend)
    legend_w = 18 + max((_lines_width(lines, size) for lines in legend), default=0.0)
    width = left + max(plot_w, legend_w) + 16
    height = legend_top + legend_h + 6
    parts = [_frame(chart_id, title, description, width, height)]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, [f"{tick} %"], 10, anchor="end"))
    for index, column in enumerate(columns):
        x0 = left + index * plot_w / max(len(columns), 1)
        centre = x0 + plot_w / max(len(columns), 1) / 2
        first = centre - (len(names) * (bar_w + bar_gap) - bar_gap) / 2
        for number, value in enumerate(column.values):
            x = first + number * (bar_w + bar_gap)
            colour = colours[number % len(colours)]
            if value is None:
                parts.append(_text(x + bar_w / 2, top + plot_h - 4, ["—"], 10, anchor="middle"))
                continue
            height_of = plot_h * max(0.0, min(value, 100.0)) / 100
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - height_of:.1f}" width="{bar_w}" '
                f'height="{height_of:.1f}" fill="{colour}"/>'
            )
            parts.append(
                _text(
                    x + bar_w / 2,
                    top + plot_h - height_of - 3,
                    [formats.localize(round(value))],
                    9,
                    anchor="middle",
                )
            )
        parts.append(
            _text(centre, top + plot_h + 16, [column.label], size, anchor="middle", weight="bold")
        )
        if notes[index]:
            parts.append(
                _text(centre, top + plot_h + 30, notes[index], 10, anchor="middle", fill=MUTED)
            )
    y = legend_top
    for number, lines in enumerate(legend):
        colour = colours[number % len(colours)]
        parts.append(f'<rect x="{left}" y="{y - 9:.1f}" width="12" height="10" fill="{colour}"/>')
        parts.append(_text(left + 18, y, lines, size))
        y += size * LINE_HEIGHT * len(lines) + 6
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
