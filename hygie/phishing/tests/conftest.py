from __future__ import annotations

import pytest

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery.models import SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.detection import forget_scanner_networks
from hygie.phishing.models import Scenario, SimulationCampaign
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import open_window


@pytest.fixture(autouse=True)
def _fresh_scanner_networks():
    # Organisation ids repeat between tests; the per-process cache must not.
    forget_scanner_networks()
    yield
    forget_scanner_networks()


@pytest.fixture
def simulation(organisation, admin) -> SimulationCampaign:
    scenarios_sync()
    SendingProfile.objects.create(organisation=organisation, simulation_domain="espace-pro.example")
    for n in range(3):
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}@example.org",
            first_name="Élise",
            last_name=f"Durand{n}",
            civility="dr",
        )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    scenario = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Printemps",
        scenarios=[scenario],
        segment=segment,
    )
    open_window(campaign.mailing)
    return campaign
