"""The results page in a real browser, on a desktop and on a phone: the year in five
figures first, and every chart's text inside its drawing as the browser measures it."""

from __future__ import annotations

import pytest
from django.test import Client

from hygie.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Each chart's texts that spill out of its drawing (measured with the page's own fonts).
SPILLED = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const [x, y, width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  return [...svg.querySelectorAll('text')].filter(t => {
    const box = t.getBBox();
    return box.x < x - 0.5 || box.y < y - 0.5 || box.x + box.width > width + 0.5
      || box.y + box.height > height + 0.5;
  }).map(t => svg.id + ': ' + t.textContent);
})"""


@pytest.mark.parametrize("screen", sorted(VIEWPORTS))
def test_results_page_reads_on_a_desktop_and_a_phone(
    live_server, browser_page, committed_world, admin, screen
):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[screen])
    staff = sign_in(Client(), admin)
    page.context.add_cookies(
        [
            {
                "name": "console_session",
                "value": staff.cookies["console_session"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/console/results/?year=2025")
    summary = page.get_by_test_id("summary").locator("li")
    assert summary.count() == 5
    assert summary.first.locator(".summary-label").inner_text() == "Taux de signalement"
    assert page.get_by_test_id("funnel").count() == 2
    assert page.get_by_test_id("years").count() == 1
    assert page.evaluate(SPILLED) == []
    # Nothing wider than the screen: the charts scale down, the tables scroll in their box.
    for chart in page.locator("svg.chart").all():
        box = chart.bounding_box()
        assert box is not None and box["x"] + box["width"] <= VIEWPORTS[screen]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[screen]["width"]
