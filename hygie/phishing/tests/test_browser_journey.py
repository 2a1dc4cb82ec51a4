"""A simulation from the message to the results, in a real browser on a phone-sized
screen: the lure (email or SMS), the tracked link on the tracking host, the landing
page, the page-side check, the form, the teachable moment and the summary."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import HitKind, Scenario, SimulationEvent, SimulationResult, Stage
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import launch_and_send, open_window
from hygie.testing.browser import as_android_chrome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Motdepasse-tres-secret-42"


def _link_from_sms(settings_) -> str:
    (file,) = (settings_.VAR_DIR / "sms").glob("*.json")
    text = json.loads(file.read_text())["text"]
    return re.search(r"https?://\S+", text).group(0)


def _link_from_email(smtp_server) -> str:
    text = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/", text).group(0)


@pytest.mark.parametrize(
    "slug", ["colis-en-attente-sms", "messagerie-securisee-boite-pleine"], ids=["sms", "email"]
)
def test_lure_to_teachable_moment_on_a_phone(
    live_server, browser_page, smtp_server, organisation, admin, settings, slug
):
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    Person.objects.create(
        organisation=organisation,
        email="elise@example.org",
        mobile_phone="+33612345678",
        first_name="Élise",
        last_name="Durand",
        civility="dr",
    )
    scenario = Scenario.objects.get(slug=slug)
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Journée",
        scenarios=[scenario],
        segment=Segment.objects.create(organisation=organisation, name="Tous"),
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    delivery = Delivery.objects.get(mailing=campaign.mailing)

    link = _link_from_sms(settings) if scenario.channel == "sms" else _link_from_email(smtp_server)
    # The link is on the tracking host, under the campaign's own path, with the token.
    assert link == f"{settings.TRACKING_BASE_URL}/{campaign.path_prefix}/{delivery.token}/"

    browser = browser_page.context.browser
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    page = context.new_page()
    as_android_chrome(page)  # user agent and client hints of one real phone browser
    page.set_default_timeout(15_000)
    try:
        # The tracking host name ("localhost"), never the console's (127.0.0.1).
        tracking = f"http://localhost:{urlsplit(live_server.url).port}"
        page.goto(link.replace(settings.TRACKING_BASE_URL, tracking))
        assert page.locator("form input").count() >= 2
        # Made for a phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        click = SimulationEvent.objects.get(kind=HitKind.CLICK)
        assert click.verdict == "uncertain", click.reasons  # until the page sees a person

        inputs = page.locator("form input")
        # A real touch on the page: its script sends the beacon (waited for here
        # rather than polled, so that the test never reads while the server writes).
        with page.expect_response(lambda r: r.url.endswith("/v/")) as beacon:
            inputs.first.tap()
        assert beacon.value.status == 204
        assert SimulationEvent.objects.filter(kind=HitKind.PRESENCE).exists()
        click.refresh_from_db()
        assert click.verdict == "human"

        for index in range(inputs.count()):
            kind = inputs.nth(index).get_attribute("type")
            inputs.nth(index).fill(SECRET if kind == "password" else "Durand")
        page.locator("form button[type=submit]").tap()
        page.wait_for_selector("[data-testid=red-flags]")
        assert re.search(r"exerci[cs]e", page.locator("h1").inner_text().lower())
        flags = page.locator("[data-testid=red-flags] li")
        assert flags.count() == len(scenario.data["red_flags"])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_response(lambda r: r.url.endswith("/v/")):
            page.mouse.wheel(0, 300)
    finally:
        context.close()

    result = SimulationResult.objects.get(delivery=delivery)
    assert result.stage == Stage.SUBMITTED and result.confirmed
    assert result.automated_hits == 0
    submit = SimulationEvent.objects.get(kind=HitKind.SUBMIT)
    assert submit.field_kinds and submit.verdict == "human"
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            assert SECRET not in repr(cursor.fetchall()), table
    assert settings.TRACKING_BASE_URL.startswith("http://localhost")
