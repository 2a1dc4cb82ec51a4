"""On a phone: the urgent ransomware path, its outcome and PDF, a report sent, seen in the desk."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import MembershipFactory
from hygie.conftest import sign_in
from hygie.incidents.models import IncidentReport
from hygie.testing.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def test_urgent_ransomware_report_reaches_the_desk(
    live_server, browser_page, organisation, monkeypatch
):
    # The anti-robot delay (a person needs seconds to fill the form) is shortened here.
    monkeypatch.setattr("hygie.incidents.antispam.MIN_SECONDS", 0)
    handler = MembershipFactory(organisation=organisation, role=Role.INCIDENT_HANDLER).user
    phone = browser_page.context.browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        user_agent=PHONE_AGENT,
        accept_downloads=True,
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/aide/o/{organisation.slug}/")
    page.get_by_role("link", name="Mes fichiers sont illisibles", exact=False).first.click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading  # the ransomware outcome
    assert page.locator("ol li").count() >= 3  # immediate actions, in order

    # The summary to hand to an IT provider or the police, downloaded as a PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le résumé (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("incident-ransomware-")
    summary = pdf_text(Path(download.path()))
    assert " ".join(heading.split()) in summary  # no-break spaces read as spaces

    page.locator("input[name=name]").fill("Dr Hélène Marty")
    page.locator("input[name=phone]").fill("06 12 48 75 20")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Envoyer").click()
    reference = page.locator(".assistant-reference").inner_text().strip()
    report = IncidentReport.objects.get(organisation=organisation)
    assert report.reference == reference
    assert report.outcome_id == "ransomware"

    staff = sign_in(Client(), handler)
    page.context.add_cookies(
        [
            {
                "name": "console_session",
                "value": staff.cookies["console_session"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/console/incidents/")
    assert reference in page.content()
    phone.close()


def _above_the_fold(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 60) <= height


@pytest.mark.parametrize(
    ("viewport", "mobile"),
    [({"width": 390, "height": 844}, True), ({"width": 1280, "height": 800}, False)],
    ids=["phone", "desktop"],
)
def test_the_first_action_is_above_the_fold_and_help_is_one_tap_away(
    live_server, browser_page, organisation, viewport, mobile
):
    context = browser_page.context.browser.new_context(
        locale="fr-FR",
        viewport=viewport,
        is_mobile=mobile,
        user_agent=PHONE_AGENT if mobile else None,
    )
    page = context.new_page()
    # Ransomware, an opened attachment, card payments, a computer with signs of intrusion.
    for path in ("0", "1.1", "5.0", "9.2"):
        page.goto(f"{live_server.url}/aide/o/{organisation.slug}/r/{path}/")
        first_action = page.locator(".assistant-now li").first
        assert first_action.inner_text().strip(), path
        assert _above_the_fold(page, first_action), f"{path}: the first action needs scrolling"
        help_link = page.get_by_role("link", name="Demander de l'aide à mon union")
        assert _above_the_fold(page, help_link), path
        help_link.click()  # one tap
        page.wait_for_function("location.hash === '#report'")
        assert page.locator("#report input[name=name]").is_visible(), path
        assert _above_the_fold(page, page.locator("#report h2")), path
    context.close()


def test_the_national_guide_leads_to_the_union_on_a_phone(live_server, browser_page, organisation):
    context = browser_page.context.browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/aide/r/0/")
    assert _above_the_fold(page, page.locator(".assistant-now li").first)
    page.get_by_role("link", name="Demander de l'aide à mon union").click()
    page.get_by_role("link", name=organisation.public_name).click()
    page.wait_for_url(f"**/aide/o/{organisation.slug}/r/0/#report")
    assert page.locator("#report input[name=name]").is_visible()
    context.close()
