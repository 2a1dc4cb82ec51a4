"""Tracking during a database blip: the usual answers, and every hit recorded once after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from hygie.delivery.models import Delivery
from hygie.phishing import lookup, outage
from hygie.phishing.models import HitKind, SimulationEvent
from hygie.phishing.tests.support import PERSON, launch_and_send


@pytest.fixture
def sent(simulation, smtp_server):
    launch_and_send(simulation)
    return simulation, Delivery.objects.filter(mailing=simulation.mailing).first()


@pytest.fixture
def database_down(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    def down() -> None:
        monkeypatch.setattr(lookup, "_find", unreachable)

    def back() -> None:
        monkeypatch.undo()

    return down, back


def spool_text() -> str:
    return "".join(p.read_text() for p in outage.SPOOL.directory.iterdir())


def test_hits_during_an_outage_get_their_answers_and_count_once_afterwards(
    sent, client, database_down
):
    campaign, delivery = sent
    down, back = database_down
    base = f"/{campaign.path_prefix}/{delivery.token}"
    down()
    clicked_at = timezone.now()
    page = client.get(f"{base}/", **PERSON)
    pixel = client.get(f"{base}/logo.gif", **PERSON)
    code = client.get(f"{base}/q.png", **PERSON)
    assert page.status_code == 200 and "indisponible" in page.content.decode()
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    assert code.status_code == 200 and code["Content-Type"] == "image/png"
    assert not SimulationEvent.objects.exists()
    back()

    assert outage.replay_tracking_spool() == 2
    click = SimulationEvent.objects.get(kind=HitKind.CLICK)
    assert click.delivery_id == delivery.pk
    assert abs(click.at - clicked_at) < timedelta(seconds=2)  # when it happened
    assert outage.replay_tracking_spool() == 0
    assert SimulationEvent.objects.filter(kind=HitKind.CLICK).count() == 1


def test_a_spool_replayed_twice_still_counts_each_hit_once(sent, client, database_down):
    campaign, delivery = sent
    down, back = database_down
    down()
    client.get(f"/{campaign.path_prefix}/{delivery.token}/", **PERSON)
    back()
    # As if a replayer died after recording, before deleting the file: it comes again.
    (path,) = outage.SPOOL.directory.iterdir()
    (path.parent / "again.jsonl").write_text(path.read_text())
    outage.replay_tracking_spool()
    assert SimulationEvent.objects.filter(kind=HitKind.CLICK).count() == 1
    assert not outage.SPOOL.pending()


def test_a_form_sent_during_an_outage_keeps_only_which_fields_were_filled(
    sent, client, database_down
):
    campaign, delivery = sent
    down, back = database_down
    down()
    response = client.post(
        f"/{campaign.path_prefix}/{delivery.token}/",
        {"identifiant": "dr.durand", "mot_de_passe": "Secret-123"},
        **PERSON,
    )
    assert response.status_code == 200
    kept = spool_text()
    assert "Secret-123" not in kept and "dr.durand" not in kept
    back()
    outage.replay_tracking_spool()
    submit = SimulationEvent.objects.get(kind=HitKind.SUBMIT)
    assert submit.field_kinds == ["identifier", "password"]


def test_the_next_hit_that_reaches_the_database_replays_in_the_background(
    sent, client, database_down, monkeypatch
):
    campaign, delivery = sent
    down, back = database_down
    down()
    client.get(f"/{campaign.path_prefix}/{delivery.token}/", **PERSON)
    back()

    class Inline:  # the background thread, run in place for the test's database
        def __init__(self, target, **kwargs):
            self.target = target

        def start(self) -> None:
            self.target()

    monkeypatch.setattr(outage.threading, "Thread", Inline)
    monkeypatch.setattr(outage, "connections", type("C", (), {"close_all": lambda self: None})())
    monkeypatch.setattr(outage, "_last_try", [0.0])
    other = Delivery.objects.exclude(pk=delivery.pk).first()
    client.get(f"/{campaign.path_prefix}/{other.token}/logo.gif", **PERSON)
    assert SimulationEvent.objects.filter(kind=HitKind.CLICK, delivery=delivery).count() == 1
    assert not outage.SPOOL.pending()


@pytest.fixture(autouse=True)
def _nothing_spooled_here():
    yield
    outage._spooled_here.clear()
