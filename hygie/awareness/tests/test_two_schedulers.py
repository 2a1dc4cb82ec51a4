"""Two schedulers at the same moment, for real, on PostgreSQL: nothing is done twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, connections

from hygie.audience.models import Person, Segment
from hygie.awareness import programme as planning
from hygie.awareness.models import AwarenessCampaign, ProgrammeStep, Reminder
from hygie.awareness.reminders import send_due_reminders
from hygie.delivery.models import Delivery, MailingKind

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


def race(work: Callable[[], int]) -> list[int]:
    """Run `work` in two threads released together, each with its own connection."""
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_send_a_reminder_once(make_campaign):
    campaign = make_campaign(people=3, reminder_days=[7])
    now = campaign.mailing.launched_at + timedelta(days=8)
    results = race(lambda: send_due_reminders(now=now))
    assert sorted(results) == [0, 1]
    assert Reminder.objects.get().mailing is not None
    assert Delivery.objects.filter(mailing__kind=MailingKind.NOTICE).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_draft_a_programme_step_once(organisation, admin):
    from hygie.library.content import capsules_sync

    capsules_sync()
    Person.objects.create(organisation=organisation, email="p@example.org")
    current = planning.programme_of(organisation)
    current.enabled = True
    current.segment = Segment.objects.create(organisation=organisation, name="Tous")
    current.start_date = date(2027, 1, 11)
    current.save()
    now = datetime(2027, 1, 5, 6, tzinfo=UTC)
    results = race(lambda: planning.prepare_due_steps(now=now))
    assert sorted(results) == [0, 1]
    assert ProgrammeStep.objects.count() == 1
    assert AwarenessCampaign.objects.count() == 1
