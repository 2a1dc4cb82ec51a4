"""A campaign's sender domain, link host and link words come from the organisation's
sending settings; nothing outside them can be chosen."""

from __future__ import annotations

import io

import pytest
import segno
from django.core.exceptions import ValidationError

from hygie.accounts.actors import Actor
from hygie.delivery.hosts import landing_hosts
from hygie.delivery.models import Delivery, SendingProfile
from hygie.phishing.models import Scenario, SimulationResult, Stage
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window

SERVED = ["localhost", "liens.dossier-patient.example", "acces.autre-union.example"]


@pytest.fixture
def hosts(settings, organisation):
    settings.TRACKING_HOSTS = SERVED
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *SERVED]
    profile = SendingProfile.objects.get(organisation=organisation)
    profile.extra_simulation_domains = ["dossier-patient.example"]
    profile.link_words = ["rdv"]
    profile.save()
    return profile


def _create(simulation, admin, **choices):
    return campaign_create(
        organisation=simulation.organisation,
        actor=Actor.staff(admin),
        name="Hôtes",
        scenarios=[Scenario.objects.get(slug="espace-pro-sante-avis-paiement")],
        segment=simulation.segment,
        **choices,
    )


def test_only_the_organisations_served_domains_are_link_hosts(simulation, hosts):
    # The other organisation's host is served by the platform but not offered here.
    assert landing_hosts(hosts) == ["localhost", "liens.dossier-patient.example"]


def test_a_campaign_uses_the_chosen_domain_host_and_words(
    simulation, hosts, admin, client, smtp_server
):
    campaign = _create(
        simulation,
        admin,
        sender_domain="dossier-patient.example",
        landing_host="liens.dossier-patient.example",
    )
    assert campaign.path_prefix.startswith("rdv") and len(campaign.path_prefix) == 7
    assert campaign.mailing.variants.get().from_email.endswith("@dossier-patient.example")
    open_window(campaign.mailing)
    launch_and_send(campaign)
    sent = smtp_server.messages[0].message
    body = sent.get_body(("plain",)).get_content()
    assert f"http://liens.dossier-patient.example:8000/{campaign.path_prefix}/" in body
    delivery = Delivery.objects.filter(mailing=campaign.mailing).first()
    page = client.get(
        f"/{campaign.path_prefix}/{delivery.token}/",
        **{**PERSON, "HTTP_HOST": "liens.dossier-patient.example"},
    )
    assert page.status_code == 200
    assert SimulationResult.objects.get(delivery=delivery).stage == Stage.CLICKED
    # The QR code drawn for the link points at the host that served it.
    image = client.get(
        f"/{campaign.path_prefix}/{delivery.token}/q.png",
        HTTP_HOST="liens.dossier-patient.example",
    )
    assert image["Content-Type"] == "image/png"
    expected = io.BytesIO()
    target = f"http://liens.dossier-patient.example/{campaign.path_prefix}/{delivery.token}/"
    segno.make(target, error="m").save(expected, kind="png", scale=6, border=2)
    assert image.content == expected.getvalue()


@pytest.mark.parametrize(
    "choice",
    [
        {"sender_domain": "autre-union.example"},
        {"landing_host": "acces.autre-union.example"},
        {"landing_host": "unknown.example"},
    ],
)
def test_a_domain_or_host_outside_the_settings_is_refused(simulation, hosts, admin, choice):
    with pytest.raises(ValidationError):
        _create(simulation, admin, **choice)


def test_a_new_campaign_avoids_a_prefix_in_use(simulation, monkeypatch):
    from hygie.phishing import variants

    drawn = iter([simulation.path_prefix[-4:], "beef"])
    monkeypatch.setattr(variants.secrets, "token_hex", lambda _n: next(drawn))
    monkeypatch.setattr(variants.secrets, "choice", lambda _words: simulation.path_prefix[:-4])
    assert variants.new_path_prefix(["x"]) == simulation.path_prefix[:-4] + "beef"


def test_a_campaign_sharing_a_prefix_read_moments_ago_is_tracked(
    simulation, admin, client, smtp_server
):
    from hygie.phishing.models import SimulationCampaign

    launch_and_send(simulation)
    other = _create(simulation, admin)
    open_window(other.mailing)
    launch_and_send(other)
    first = Delivery.objects.filter(mailing=simulation.mailing).first()
    # A hit keeps the prefix's campaigns in this process for a few seconds...
    client.get(
        f"/{simulation.path_prefix}/{first.token}/",
        **{**PERSON, "REMOTE_ADDR": "198.51.100.7"},
    )
    # ...then another process gives the same prefix to the other campaign.
    SimulationCampaign.objects.filter(pk=other.pk).update(path_prefix=simulation.path_prefix)
    theirs = Delivery.objects.filter(mailing=other.mailing).first()
    client.get(
        f"/{simulation.path_prefix}/{theirs.token}/",
        **{**PERSON, "REMOTE_ADDR": "198.51.100.8"},
    )
    assert SimulationResult.objects.get(delivery=theirs).stage == Stage.CLICKED
