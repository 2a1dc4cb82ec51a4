"""Building a programme's raw events directly (people, sent messages, visits, answers,
hits), so that tests can compare the dashboard with a computation of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Person, Segment
from hygie.awareness.models import AwarenessCampaign, EventKind, QuizAttempt, ReadingEvent
from hygie.awareness.services import campaign_create as awareness_create
from hygie.delivery.models import Delivery, DeliveryStatus, SendingProfile
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import (
    HitKind,
    Scenario,
    SimulationAnnouncement,
    SimulationCampaign,
    SimulationEvent,
    Verdict,
)
from hygie.phishing.services import campaign_create as simulation_create
from hygie.phishing.services import campaign_launch, result_refresh

JAN = dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC)


def setup_library(organisation: Organisation) -> None:
    capsules_sync()
    scenarios_sync()
    SendingProfile.objects.get_or_create(
        organisation=organisation, defaults={"simulation_domain": "sim.example"}
    )
    SimulationAnnouncement.objects.create(
        organisation=organisation, announced_on=dt.date(2024, 9, 1), channel="email"
    )


def make_people(organisation: Organisation, specs: list[dict[str, Any]]) -> list[Person]:
    start = Person.objects.filter(organisation=organisation).count()
    return [
        Person.objects.create(organisation=organisation, email=f"dr{start + n}@example.org", **spec)
        for n, spec in enumerate(specs)
    ]


def everyone(organisation: Organisation) -> Segment:
    segment, _created = Segment.objects.get_or_create(organisation=organisation, name="Tous")
    return segment


def _sent(mailing_id: int, at: dt.datetime) -> dict[int, Delivery]:
    Delivery.objects.filter(mailing_id=mailing_id).update(status=DeliveryStatus.SENT, sent_at=at)
    return {d.person_id: d for d in Delivery.objects.filter(mailing_id=mailing_id)}  # type: ignore[misc]


def launch_awareness(
    organisation: Organisation, actor: User, slug: str, at: dt.datetime, name: str = ""
) -> tuple[AwarenessCampaign, dict[int, Delivery]]:
    capsule = Capsule.objects.get(slug=slug, language="fr")
    campaign = awareness_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name=name or capsule.title,
        capsule=capsule,
        segment=everyone(organisation),
    )
    mailing_launch(mailing=campaign.mailing, actor=Actor.staff(actor), now=at)
    return campaign, _sent(campaign.mailing_id, at)


def read(delivery: Delivery, *, automated: bool = False, at: dt.datetime | None = None) -> None:
    ReadingEvent.objects.create(
        delivery=delivery,
        kind=EventKind.PAGE_VIEWED,
        automated=automated,
        automated_reason="scanner" if automated else "",
        at=at or timezone.now(),
    )


def answer(
    delivery: Delivery, capsule: Capsule, wrong: set[int], at: dt.datetime | None = None
) -> QuizAttempt:
    """A quiz attempt, answering wrongly the questions whose index is in `wrong`."""
    answers = []
    for index, question in enumerate(capsule.quiz):
        correct = [i for i, c in enumerate(question["choices"]) if c.get("correct") is True]
        incorrect = [i for i, c in enumerate(question["choices"]) if c.get("correct") is not True]
        answers.append(incorrect[0] if index in wrong else correct[0])
    return QuizAttempt.objects.create(
        delivery=delivery,
        capsule=capsule,
        answers=answers,
        score=len(capsule.quiz) - len(wrong),
        total=len(capsule.quiz),
        completed_at=at or timezone.now(),
    )


def launch_simulation(
    organisation: Organisation, actor: User, slug: str, at: dt.datetime, name: str
) -> tuple[SimulationCampaign, dict[int, Delivery]]:
    scenario = Scenario.objects.filter(slug=slug).first()
    assert scenario is not None
    campaign = simulation_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name=name,
        scenarios=[scenario],
        segment=everyone(organisation),
    )
    from hygie.delivery.models import Mailing

    # Launched "at" the given time, as the launch service does today.
    campaign_launch(campaign=campaign, actor=Actor.staff(actor))
    Mailing.objects.filter(pk=campaign.mailing_id).update(launched_at=at)
    campaign.refresh_from_db()
    return campaign, _sent(campaign.mailing_id, at)


def hit(
    delivery: Delivery,
    kind: str = HitKind.CLICK,
    *,
    at: dt.datetime,
    verdict: str = Verdict.HUMAN,
) -> None:
    with transaction.atomic():  # as delivery_record_hit does: the summary row is locked
        SimulationEvent.objects.create(delivery=delivery, kind=kind, at=at, verdict=verdict)
        result_refresh(delivery_id=delivery.pk)
