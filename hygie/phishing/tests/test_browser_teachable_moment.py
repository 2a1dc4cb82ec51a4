"""The teachable moment in a real browser, on a desktop and on a phone: the sender's
address and the link's domain are shown, and the way to look at a link fits the device."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import launch_and_send, open_window

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
DEVICES = {
    "desktop": {"user_agent": DESKTOP, "viewport": {"width": 1280, "height": 800}},
    "phone": {
        "user_agent": IPHONE,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
    # A phone whose browser says nothing recognisable: CSS (hover: none) decides.
    "unknown-phone": {
        "user_agent": "Mozilla/5.0",
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_explanation_shows_the_address_the_domain_and_the_devices_wording(
    live_server, browser_page, smtp_server, organisation, admin, settings, device
):
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    Person.objects.create(
        organisation=organisation, email="elise@example.org", first_name="Élise", last_name="Durand"
    )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Lecteurs",
        scenarios=[Scenario.objects.get(slug="lecteur-cps-mise-a-jour")],
        segment=Segment.objects.create(organisation=organisation, name="Tous"),
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    delivery = Delivery.objects.get(mailing=campaign.mailing)
    tracking = f"http://localhost:{urlsplit(live_server.url).port}"

    context = browser_page.context.browser.new_context(locale="fr-FR", **DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{tracking}/{campaign.path_prefix}/{delivery.token}/")
        origin = page.locator("[data-testid=origin]")
        origin.wait_for()
        marks = origin.locator("mark.origin")
        assert marks.nth(0).inner_text() == "support-lecteurs@espace-pro.example"
        assert marks.nth(1).inner_text() == "localhost"
        # Highlighted: the marks have their own background.
        background = marks.nth(0).evaluate("m => getComputedStyle(m).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        touch = page.get_by_text("appuyez longuement sur le lien")
        pointer = page.get_by_text("posez le pointeur sur le lien")
        if device == "desktop":
            assert pointer.is_visible() and touch.count() == 0
        elif device == "phone":
            assert touch.is_visible() and pointer.count() == 0
        else:
            assert touch.is_visible() and not pointer.is_visible()
        # The sender clue points at the address it talks about.
        clue = page.locator("[data-testid=flag-address]")
        assert "support-lecteurs@espace-pro.example" in clue.inner_text()
        assert (
            page.evaluate("document.documentElement.scrollWidth")
            <= (DEVICES[device]["viewport"]["width"])
        )
    finally:
        context.close()
