"""Shared helpers of the awareness tests: a campaign of several people, sent for real."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.awareness.models import AwarenessCampaign
from hygie.awareness.services import campaign_create
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Mailing
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
)


def open_window(mailing: Mailing) -> None:
    mailing.window_days = list(range(7))
    mailing.window_start, mailing.window_end = time(0, 0), time(23, 59, 59)
    mailing.save()


def send_everything(mailing: Mailing, worker: str = "w1") -> None:
    """Make every scheduled message of the mailing due now and let a worker send them."""
    Delivery.objects.filter(mailing=mailing).update(next_attempt_at=timezone.now())
    while sending.send_due(worker):
        pass
    sending.complete_finished_mailings()


@pytest.fixture
def make_campaign(organisation, admin, smtp_server):
    """`make_campaign(people=5, reminder_days=[7])`: a launched and sent campaign."""

    made = iter(range(1000))

    def make(people: int = 5, reminder_days: list[int] | None = None) -> AwarenessCampaign:
        capsules_sync()
        batch = next(made)
        Person.objects.filter(organisation=organisation).update(status="unsubscribed")
        for n in range(people):
            Person.objects.create(
                organisation=organisation,
                email=f"dr{n}.{batch}@example.org",
                first_name="Élise",
                last_name=f"Durand{n}",
                civility="dr",
                profession="doctor" if n % 2 == 0 else "nurse",
            )
        segment = Segment.objects.create(organisation=organisation, name=f"Tous {batch}")
        campaign = campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Sauvegardes 2026",
            capsule=Capsule.objects.get(slug="sauvegardes", language="fr"),
            segment=segment,
            reminder_days=reminder_days,
        )
        open_window(campaign.mailing)
        mailing_launch(mailing=campaign.mailing, actor=Actor.system())
        send_everything(campaign.mailing)
        campaign.mailing.refresh_from_db()
        return campaign

    return make


@pytest.fixture
def console(client):
    """Console pages in English, the language of these tests' assertions (the French
    catalogue is tested on its own)."""
    from hygie.conftest import sign_in

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return lambda user: sign_in(client, user)
