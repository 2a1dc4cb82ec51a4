"""What a received report records about the original: its date and whom to credit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hygie.audience.models import Person
from hygie.reporting.intake import ingest
from hygie.reporting.models import Mailbox, Report
from hygie.reporting.tests import forwards

UIDS = itertools.count(1)


@pytest.fixture
def plain_mailbox(organisation) -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def receive(mailbox: Mailbox, raw: bytes, received_at: datetime) -> Report:
    report = ingest(mailbox=mailbox, uidvalidity=1, uid=next(UIDS), raw=raw, size=len(raw))
    assert report is not None
    return report


def test_the_original_date_is_kept_and_the_first_recipient_credited(organisation, plain_mailbox):
    member = Person.objects.create(organisation=organisation, email=forwards.REPORTER)
    Person.objects.create(organisation=organisation, email=forwards.SECRETARY)
    lure = forwards.Lure(sent_at=datetime.now(UTC).replace(microsecond=0, second=0))
    raw = forwards.forward_of_forward(lure, "fr")
    report = receive(plain_mailbox, raw, lure.sent_at)
    report.refresh_from_db()
    assert report.person == member
    assert report.reporter_email == forwards.SECRETARY
    assert report.original_from.endswith(f"<{lure.sender}>")
    assert report.original_sent_at == lure.sent_at
    assert report.subject == lure.subject


def test_an_implausible_original_date_is_not_kept(organisation, plain_mailbox):
    long_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=800)
    lure = forwards.Lure(sent_at=long_ago)
    report = receive(plain_mailbox, forwards.gmail(lure, "fr"), lure.sent_at)
    report.refresh_from_db()
    assert report.original_from.endswith(f"<{lure.sender}>")
    assert report.original_sent_at is None
