"""Server-side SVG charts: well-formed, accessible, and drawn from the figures given."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.urls import reverse

from hygie.analytics.charts import (
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

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own markup)


def test_trend_chart_is_an_image_with_title_description_and_whiskers():
    chart = parse(
        trend_chart(
            "t",
            "Taux <clic>",
            "Description & détails",
            [Series("Clics", [Point("A", 50.0, 40.0, 60.0), Point("B", None), Point("C", 0.0)])],
        )
    )
    assert chart.get("role") == "img"
    assert chart.get("aria-labelledby") == "t-title t-desc"
    assert chart.find(f"{SVG}title").text == "Taux <clic>"
    assert chart.find(f"{SVG}desc").text == "Description & détails"
    circles = chart.findall(f"{SVG}circle")
    assert len(circles) == 2  # the hidden point is not drawn
    whisker = next(line for line in chart.findall(f"{SVG}line") if line.get("stroke") != "#d1d5db")
    top, plot_h = 12, 180
    assert float(whisker.get("y1")) == round(top + plot_h * (1 - 0.40), 1)
    assert float(whisker.get("y2")) == round(top + plot_h * (1 - 0.60), 1)
    assert float(circles[0].get("cy")) == round(top + plot_h * 0.5, 1)


def test_bar_chart_bars_are_proportional_and_hidden_values_are_a_dash():
    chart = parse(
        bar_chart("b", "Lecture", "Par thème", [Bar("Sauvegardes", 75.0), Bar("Wi-Fi", None)])
    )
    (rect,) = chart.findall(f"{SVG}rect")
    assert float(rect.get("width")) == 300 * 0.75
    texts = ["".join(t.itertext()) for t in chart.findall(f"{SVG}text")]
    assert "—" in texts and "75 %" in texts


def test_dashboard_charts_match_its_tables(world, admin, console):
    page = console(admin).get(reverse("analytics:overview"), {"year": 2025})
    p = page.context["p"]
    trend = parse(page.context["charts"]["trend"])
    circles = trend.findall(f"{SVG}circle")
    assert len(circles) == 3 * len(p.simulations)  # clicked, submitted, reported per simulation
    clicked = [c for c in circles if c.get("fill") == "#1d4ed8"]
    for circle, row in zip(clicked, p.simulations, strict=True):
        assert float(circle.get("cy")) == round(12 + 180 * (1 - row.clicked.percent / 100), 1)
    themes = parse(page.context["charts"]["themes"])
    widths = [float(r.get("width")) for r in themes.findall(f"{SVG}rect")]
    assert widths == [round(300 * t.read.percent / 100, 1) for t in p.themes]


# --- Labels are never cut -------------------------------------------------------------

LONG = (
    "Professionnels exerçant en maison de santé pluriprofessionnelle universitaire",
    "Anticonstitutionnellement-pluriprofessionnalisées",  # one word wider than a line
    "Secrétaires médicales et assistants de cabinet de radiologie interventionnelle",
)


def text_lines(element: ET.Element) -> list[str]:
    spans = element.findall(f"{SVG}tspan")
    return [span.text or "" for span in spans] if spans else [element.text or ""]


def assert_every_text_fits(chart: ET.Element) -> list[str]:
    """Every text is inside the drawing (by the generous width estimate); returns the texts."""
    from hygie.analytics.charts import text_width

    _x, _y, width, height = (float(v) for v in chart.get("viewBox").split())
    texts = []
    for element in chart.findall(f"{SVG}text"):
        lines = text_lines(element)
        size = float(element.get("font-size"))
        x, y = float(element.get("x")), float(element.get("y"))
        widest = max(text_width(line, size) for line in lines)
        anchor = element.get("text-anchor")
        left = {"start": x, "middle": x - widest / 2, "end": x - widest}[anchor]
        assert left >= 0 and left + widest <= width, (lines, left, widest, width)
        bottom = y + size * 1.25 * (len(lines) - 1)
        assert y - size >= 0 and bottom <= height, (lines, y, bottom, height)
        texts.append(" ".join(lines))
    return texts


def test_long_french_labels_wrap_whole_in_every_chart():
    bars = parse(bar_chart("b", "t", "d", [Bar(label, 40.0) for label in LONG]))
    assert set(LONG) <= set(assert_every_text_fits(bars))
    trend = parse(
        trend_chart("t", "t", "d", [Series(LONG[0], [Point(label, 20.0) for label in LONG] * 2)])
    )
    assert set(LONG) <= set(assert_every_text_fits(trend))
    funnel = parse(funnel_chart("f", "t", "d", [Step(label, 50.0) for label in LONG]))
    assert set(LONG) <= set(assert_every_text_fits(funnel))
    # Wrapped, not widened: the long sentences take several lines.
    assert any(len(text_lines(t)) >= 2 for t in funnel.findall(f"{SVG}text"))


def test_year_on_year_chart_over_four_years_with_long_names():
    names = [LONG[0], LONG[2], "Ont cliqué"]
    years = [
        YearColumn("2022", "difficulté des leurres 2,0 sur 5", [30.0, 20.0, 25.0]),
        YearColumn("2023", "difficulté des leurres 3,5 sur 5", [35.0, None, 22.0]),
        YearColumn("2024", "", [40.0, 28.0, 18.0]),
        YearColumn("2025", "difficulté des leurres 4,0 sur 5", [52.5, 33.0, 12.0]),
    ]
    chart = parse(year_chart("y", "Année après année", "Trois taux", names, years))
    assert chart.get("role") == "img" and chart.find(f"{SVG}title").text == "Année après année"
    texts = assert_every_text_fits(chart)
    for expected in [*names, "2022", "2023", "2024", "2025", "difficulté des leurres 4,0 sur 5"]:
        assert expected in texts
    assert "—" in texts  # the hidden rate of 2023
    bars = [r for r in chart.findall(f"{SVG}rect") if r.get("height") != "10"]  # not legend
    assert len(bars) == 11
    tallest = max(bars, key=lambda r: float(r.get("height")))
    assert float(tallest.get("height")) == round(200 * 0.525, 1)


def test_funnel_bars_are_shares_of_the_people_who_received_it():
    steps = [
        Step("Ont reçu le message", 100.0, "n = 120"),
        Step("Ont ouvert le message", None, "non mesuré par personne"),
        Step("Ont cliqué sur le lien", 25.0),
        Step("Ont signalé le message", 10.0, report=True),
    ]
    chart = parse(funnel_chart("f", "Entonnoir", "Description", steps))
    assert chart.get("aria-labelledby") == "f-title f-desc"
    filled = [r for r in chart.findall(f"{SVG}rect") if r.get("fill-opacity") is None]
    assert [float(r.get("width")) for r in filled] == [380.0, 95.0, 38.0]
    assert filled[-1].get("fill") != filled[0].get("fill")  # reporting drawn apart
    texts = assert_every_text_fits(chart)
    assert "non mesuré par personne" in texts and "100 % · n = 120" in texts
