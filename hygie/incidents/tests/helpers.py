"""Building reports, slots and form submissions for the desk's tests."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils import timezone

from hygie.incidents import antispam, services
from hygie.incidents.assistant import walk
from hygie.incidents.content import load_tree
from hygie.incidents.models import CallbackSlot, IncidentReport

RANSOMWARE = "0"  # critical, two obligations due 72 h after discovery
PHISHING_NO_DATA = "1.5"  # low, no obligation


def token(seconds_ago: float = 30) -> str:
    """A form token as issued `seconds_ago` seconds ago."""
    return antispam.issue_token(time.time() - seconds_ago)


def report_data(path: str = RANSOMWARE, **overrides: Any) -> dict[str, Any]:
    """What the outcome page's form posts, filled in by a person, consent ticked."""
    outcome = walk(load_tree(), path.split("."))[1]
    data: dict[str, Any] = {
        "path": path,
        "outcome": outcome.id,
        "decouverte": "2025-11-28T14:05",
        "token": token(),
        "name": "Dr Élise Martin",
        "practice": "Cabinet des Tilleuls",
        "email": "elise.martin@example.org",
        "phone": "",
        "message": "Tous les fichiers ont une extension .lock",
        "consent": "on",
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_report(
    organisation,
    path: str = RANSOMWARE,
    discovered_at: dt.datetime | None = None,
    status: str | None = None,
    **fields: Any,
) -> IncidentReport:
    """A report as sent through the organisation's assistant (then given `status`)."""
    outcome = walk(load_tree(), path.split("."))[1]
    values: dict[str, Any] = {
        "name": "Dr Test",
        "email": "test@example.org",
        "discovered_at": discovered_at or timezone.now(),
    }
    values.update(fields)
    report = services.report_submit(organisation=organisation, outcome=outcome, path=path, **values)
    if status is not None:
        IncidentReport.objects.filter(pk=report.pk).update(status=status)
        report.refresh_from_db()
    return report


def make_slot(organisation, hours_from_now: float = 48, capacity: int = 1, **fields: Any):
    starts = timezone.now() + dt.timedelta(hours=hours_from_now)
    return CallbackSlot.objects.create(
        organisation=organisation,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=capacity,
        **fields,
    )
