"""Helpers shared by the simulation tests."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Mailing
from hygie.phishing.models import SimulationAnnouncement, SimulationCampaign
from hygie.phishing.services import campaign_launch

PERSON = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    "HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9",
    "HTTP_HOST": "localhost",
}


def open_window(mailing: Mailing) -> None:
    mailing.window_days = list(range(7))
    mailing.window_start, mailing.window_end = time(0, 0), time(23, 59, 59)
    mailing.save()


def launch_and_send(campaign: SimulationCampaign) -> None:
    if not SimulationAnnouncement.objects.filter(organisation=campaign.organisation).exists():
        SimulationAnnouncement.objects.create(
            organisation=campaign.organisation, announced_on=date(2026, 9, 1), channel="email"
        )
    campaign_launch(campaign=campaign, actor=Actor.system())
    Delivery.objects.filter(mailing=campaign.mailing).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    sending.send_due("w1")
    # Make the messages look delivered a while ago (a person does not click in 2 s).
    Delivery.objects.filter(mailing=campaign.mailing).update(
        sent_at=timezone.now() - timedelta(minutes=30)
    )
