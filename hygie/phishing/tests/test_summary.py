"""The per-delivery summary: advanced by one UPDATE per hit, equal to a full recount."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from hygie.delivery.models import Delivery
from hygie.phishing.models import HitKind, SimulationEvent, SimulationResult, Verdict
from hygie.phishing.services import advance_result, refresh_result
from hygie.phishing.tests.support import launch_and_send

FIELDS = (
    "stage",
    "clicked_at",
    "submitted_at",
    "reported_at",
    "automated_hits",
    "uncertain_hits",
    "confirmed",
)
KINDS = [HitKind.OPEN, HitKind.CLICK, HitKind.SUBMIT, HitKind.REPORT]


def summary(delivery: Delivery) -> tuple[object, ...]:
    result = SimulationResult.objects.get(delivery=delivery)
    return tuple(getattr(result, name) for name in FIELDS)


def test_advancing_hit_by_hit_gives_the_full_recount(simulation, smtp_server):
    launch_and_send(simulation)
    delivery = Delivery.objects.filter(mailing=simulation.mailing).first()
    rng = random.Random(3)
    start = timezone.now() - timedelta(hours=5)
    for trial in range(40):
        SimulationEvent.objects.filter(delivery=delivery).delete()
        refresh_result(delivery.pk)
        for step in range(rng.randint(1, 7)):
            event = SimulationEvent.objects.create(
                delivery=delivery,
                kind=rng.choice(KINDS),
                at=start + timedelta(minutes=10 * trial + step),
                verdict=rng.choice(list(Verdict.values)),
            )
            advance_result(event)
            advanced = summary(delivery)
            refresh_result(delivery.pk)
            assert advanced == summary(delivery), (trial, step, event.kind, event.verdict)
