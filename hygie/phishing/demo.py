"""Demo traffic for a past simulation, sent through the real tracking endpoints
(in-process requests on the tracking host): people who click, confirm on the page,
submit or report, and the robots a real campaign meets (link scanners seconds after
delivery, HEAD checks, sandboxes that follow the hidden link).

Called by the demo set-up; it creates the simulation once per organisation.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.delivery.models import Delivery, DeliveryStatus, MailingStatus, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement, SimulationCampaign
from hygie.phishing.services import campaign_create, campaign_launch
from hygie.phishing.teaching import reporting_address

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
SCANNER = "Mozilla/5.0 (compatible; Proofpoint URL Defense)"
SLUGS = ("espace-pro-sante-avis-paiement", "messagerie-securisee-boite-pleine")


def past_simulation(organisation: Organisation, admin: User, seed: int = 11) -> None:
    if SimulationCampaign.objects.filter(organisation=organisation).exists():
        return
    if not Scenario.objects.filter(slug__in=SLUGS).exists():
        scenarios_sync()
    scenarios = [
        Scenario.objects.filter(slug=slug, organisation__isnull=True).order_by("-version").first()
        for slug in SLUGS
    ]
    if None in scenarios:
        return
    rng = random.Random(seed)  # noqa: S311 - demo data
    with transaction.atomic():
        profile, _created = SendingProfile.objects.get_or_create(organisation=organisation)
        if not profile.simulation_domain:
            profile.simulation_domain = "espace-pro-sante.example"
            profile.save(update_fields=["simulation_domain"])
        if not SimulationAnnouncement.objects.filter(organisation=organisation).exists():
            SimulationAnnouncement.objects.create(
                organisation=organisation,
                announced_on=date.today() - timedelta(days=90),  # noqa: DTZ011 - a date
                channel="newsletter",
                note="Lettre d'information : des exercices auront lieu dans l'année.",
                recorded_by=admin,
            )
        segment, _created = Segment.objects.get_or_create(
            organisation=organisation,
            # Two départements (a few hundred doctors): enough for every figure above the
            # anonymity threshold, small enough to replay through the endpoints in seconds.
            name="Médecins de Gironde et des Pyrénées-Atlantiques",
            defaults={
                "filters": {
                    "professions": ["doctor"],
                    "statuses": ["active"],
                    "departements": ["33", "64"],
                }
            },
        )
        campaign = campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Exercice d'automne : paiement et messagerie",
            scenarios=[s for s in scenarios if s is not None],
            segment=segment,
            # The message's last line says where to forward it, when there is such an address.
            report_link=bool(reporting_address(organisation)),
            # Ending it (a button on its results page) enrols those who clicked in the
            # related capsules.
            follow_up=True,
        )
        campaign_launch(campaign=campaign, actor=Actor.staff(admin))
        # The demo mails nobody: the messages are marked as delivered over the last days.
        Delivery.objects.filter(mailing=campaign.mailing).update(
            status=DeliveryStatus.SENT, attempts=1
        )
        campaign.mailing.status = MailingStatus.COMPLETED
        campaign.mailing.completed_at = timezone.now()
        campaign.mailing.save(update_fields=["status", "completed_at"])
    client = Client(HTTP_HOST=settings.TRACKING_HOSTS[0])
    now = timezone.now()
    # In a fixed order: the seeded draws then fall on the same people on every database
    # (PostgreSQL returns unordered rows in whatever order its pages hold them).
    deliveries = Delivery.objects.filter(mailing=campaign.mailing).order_by("pk")
    for delivery in deliveries.only("pk", "token"):
        base = f"/{campaign.path_prefix}/{delivery.token}/"
        # Each practice has its own address (one address for everyone would be a burst).
        address = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        roll = rng.random()
        if roll < 0.12:  # a gateway checks every link seconds after delivery
            _delivered(delivery, now - timedelta(seconds=rng.uniform(2, 12)))
            client.get(base, HTTP_USER_AGENT=SCANNER, REMOTE_ADDR=address)
            continue
        if roll < 0.16:  # a sandbox opens the message and follows every link
            _delivered(delivery, now - timedelta(minutes=rng.uniform(2, 30)))
            robot: dict[str, Any] = {"HTTP_USER_AGENT": DESKTOP, "REMOTE_ADDR": address}
            client.head(base, **robot)
            client.get(base + "h/", HTTP_ACCEPT_LANGUAGE="fr-FR", **robot)
            continue
        # People: minutes to two days after delivery.
        _delivered(delivery, now - timedelta(minutes=rng.lognormvariate(4.5, 1.3)))
        agent: dict[str, Any] = {
            "HTTP_USER_AGENT": rng.choice((PHONE, DESKTOP)),
            "HTTP_ACCEPT_LANGUAGE": "fr-FR",
            "REMOTE_ADDR": address,
        }
        if rng.random() < 0.5:
            client.get(base + "p.gif", **agent)
        if rng.random() < 0.07:
            client.post(base + "r/", **agent)
            client.post(base + "v/", **agent)
            continue
        if rng.random() > 0.22:
            continue
        client.get(base, **agent)
        if rng.random() < 0.9:  # the page saw a person (pointer, scroll, touch)
            client.post(base + "v/", **agent)
        if rng.random() < 0.4:
            # Field names only matter; values are dropped before anything is stored.
            client.post(base, {"identifiant": "demo", "mot_de_passe": "demo"}, **agent)


def _delivered(delivery: Delivery, at: datetime) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=at, scheduled_at=at, next_attempt_at=at)
