"""The per-delivery summary: advanced by one UPDATE per hit (with the event's INSERT on
the tracking endpoints), equal to a full recount."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from hygie.delivery.models import Delivery
from hygie.phishing import tracking_sql
from hygie.phishing.models import HitKind, SimulationEvent, SimulationResult, Verdict
from hygie.phishing.services import result_advance, result_refresh
from hygie.phishing.tests.support import launch_and_send
from hygie.phishing.tracking_sql import summary_change

FIELDS = (
    "stage",
    "clicked_at",
    "submitted_at",
    "reported_at",
    "automated_hits",
    "uncertain_hits",
    "confirmed",
)
EVENT_FIELDS = SimulationEvent._meta.concrete_fields
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
        result_refresh(delivery_id=delivery.pk)
        for step in range(rng.randint(1, 7)):
            event = SimulationEvent(
                delivery=delivery,
                kind=rng.choice(KINDS),
                at=start + timedelta(minutes=10 * trial + step),
                verdict=rng.choice(list(Verdict.values)),
                reasons=[f"signal {step}", "« accents »"],
                field_kinds=["identifier", "password"],
                source="abcdef0123456789",
            )
            if trial % 2:  # the tracking endpoints' way: event and summary together
                tracking_sql.append(event, **summary_change(event))
                stored = SimulationEvent.objects.get(pk=event.pk)
                assert [getattr(stored, f.attname) for f in EVENT_FIELDS] == [
                    getattr(event, f.attname) for f in EVENT_FIELDS
                ]
            else:
                event.save()
                result_advance(event=event)
            advanced = summary(delivery)
            result_refresh(delivery_id=delivery.pk)
            assert advanced == summary(delivery), (trial, step, event.kind, event.verdict)
