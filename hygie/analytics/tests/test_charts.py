"""Server-side SVG charts: well-formed, accessible, and drawn from the figures given."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.urls import reverse

from hygie.analytics.charts import Bar, Point, Series, bar_chart, trend_chart

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
    texts = [t.text for t in chart.findall(f"{SVG}text")]
    assert "—" in texts and "75.0 %" in texts  # localised (English in tests)


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
