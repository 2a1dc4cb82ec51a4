"""Domain events that leave the platform (webhooks), published by the apps where they happen.

An app calls `publish` inside the transaction that makes the event true; subscribers (the
API app records a webhook delivery per endpoint) run in that same transaction, so an event
is kept exactly when its cause is, and a crash loses neither. This module knows no app:
subscribers register from their AppConfig.ready().

Payloads carry identifiers and counts, not personal data: a receiver that needs a person
asks the API, with a token whose scopes allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REPORT_RECEIVED = "report.received"
REPORT_GROUP_ALERTED = "report_group.alerted"
INCIDENT_SUBMITTED = "incident.submitted"
INCIDENT_STATUS_CHANGED = "incident.status_changed"
CALLBACK_REQUESTED = "callback.requested"
CAMPAIGN_LAUNCHED = "campaign.launched"
CAMPAIGN_FINISHED = "campaign.finished"
IMPORT_FINISHED = "import.finished"

ALL_EVENTS = (
    REPORT_RECEIVED,
    REPORT_GROUP_ALERTED,
    INCIDENT_SUBMITTED,
    INCIDENT_STATUS_CHANGED,
    CALLBACK_REQUESTED,
    CAMPAIGN_LAUNCHED,
    CAMPAIGN_FINISHED,
    IMPORT_FINISHED,
)


@dataclass(frozen=True)
class Event:
    name: str
    organisation_id: int
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(name: str, *, organisation_id: int, **data: Any) -> None:
    if name not in ALL_EVENTS:
        raise ValueError(f"unknown event {name!r}")
    event = Event(name=name, organisation_id=organisation_id, data=data)
    for subscriber in _subscribers:
        subscriber(event)
