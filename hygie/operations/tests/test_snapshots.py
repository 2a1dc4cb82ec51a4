"""Kept figures: live when cheap, kept when costly, refreshed once in the background."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hygie.operations import snapshots
from hygie.operations.models import Snapshot
from hygie.operations.tasks import refresh_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(monkeypatch):
    """A registered computation that counts its calls and returns their number."""
    monkeypatch.setattr(snapshots, "LIVE_BELOW_SECONDS", 0.25)
    calls: list[tuple[object, ...]] = []

    def compute(*arguments: object) -> dict[str, object]:
        calls.append(arguments)
        return {"calls": len(calls), "arguments": list(arguments)}

    monkeypatch.setitem(snapshots.COMPUTATIONS, "counter", compute)
    return calls


def costly(key: str, seconds: float = 2.0, age: timedelta = timedelta(0)) -> None:
    """Make the kept figures look like a 2-second computation made `age` ago."""
    Snapshot.objects.filter(key=key).update(seconds=seconds, computed_at=timezone.now() - age)


def refresh_jobs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="refresh_snapshot").count()


def test_cheap_figures_are_computed_at_each_view(counter):
    first = snapshots.figures("counter", 7, "a")
    second = snapshots.figures("counter", 7, "a")
    assert (first.value["calls"], second.value["calls"]) == (1, 2)
    assert first.live and second.live
    assert first.value["arguments"] == [7, "a"]


def test_costly_figures_are_kept_while_fresh(counter):
    snapshots.figures("counter", 7)
    costly("counter:7")
    kept = snapshots.figures("counter", 7)
    assert kept.value["calls"] == 1 and not kept.live
    assert len(counter) == 1
    # Other arguments are other figures.
    assert snapshots.figures("counter", 8).value["calls"] == 2


def test_stale_figures_are_shown_and_refreshed_once_in_the_background(
    counter, django_capture_on_commit_callbacks
):
    snapshots.figures("counter", 7)
    costly("counter:7", age=timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        views = [snapshots.figures("counter", 7) for _ in range(5)]
    assert {v.value["calls"] for v in views} == {1}  # shown at once, not recomputed
    assert refresh_jobs() == 1  # five views, one refresh queued
    assert Snapshot.objects.get(key="counter:7").refreshing_since is not None

    job = DBTaskResult.objects.get(task_path__endswith="refresh_snapshot")
    refresh_snapshot.call(*job.args_kwargs["args"])
    row = Snapshot.objects.get(key="counter:7")
    assert row.refreshing_since is None
    costly("counter:7")  # still a costly computation, now fresh
    assert snapshots.figures("counter", 7).value["calls"] == 2


def test_a_lost_refresh_is_claimed_again(counter, django_capture_on_commit_callbacks):
    snapshots.figures("counter", 7)
    costly("counter:7", age=timedelta(minutes=30))
    Snapshot.objects.update(refreshing_since=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.figures("counter", 7)
    assert refresh_jobs() == 0  # a refresh claimed 5 minutes ago is still running
    Snapshot.objects.update(refreshing_since=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.figures("counter", 7)
    assert refresh_jobs() == 1


def test_a_slower_computation_stays_fresh_longer():
    assert snapshots.freshness(0.5) == timedelta(minutes=1)
    assert snapshots.freshness(4) == timedelta(minutes=2)


def test_figures_that_no_longer_load_are_computed_again(counter):
    snapshots.figures("counter", 7)
    Snapshot.objects.update(payload=b"not a pickle", seconds=2.0)
    again = snapshots.figures("counter", 7)
    assert again.live and again.value["calls"] == 2


def test_the_refresh_of_a_deleted_campaign_forgets_its_figures(monkeypatch):
    def gone(*_arguments: object) -> None:
        raise Snapshot.DoesNotExist

    monkeypatch.setitem(snapshots.COMPUTATIONS, "gone", gone)
    Snapshot.objects.create(key="gone:3", payload=b"", computed_at=timezone.now())
    assert refresh_snapshot.call("gone", [3]) == 0.0
    assert not Snapshot.objects.exists()


def test_migrate_forgets_every_kept_figure(db):
    from django.core.management import call_command

    Snapshot.objects.create(key="old:1", payload=b"", computed_at=timezone.now())
    call_command("migrate", "operations", verbosity=0)
    assert not Snapshot.objects.exists()


def test_figures_nobody_asked_for_are_prepared_once_in_the_background(
    counter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert snapshots.prepare("counter", [(7,), (8,)]) == 2
        assert snapshots.prepare("counter", [(7,), (8,), (9,)]) == 1  # only the new one
    assert refresh_jobs() == 3
    # Until its job has run, a prepared page computes its figures at the view.
    first = snapshots.figures("counter", 7)
    assert first.live and first.value["calls"] == 1
    job = DBTaskResult.objects.filter(task_path__endswith="refresh_snapshot").first()
    refresh_snapshot.call(*job.args_kwargs["args"])
    assert Snapshot.objects.get(
        key=snapshots.key_of("counter", tuple(job.args_kwargs["args"][1]))
    ).payload
