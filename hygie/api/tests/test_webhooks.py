"""Webhooks: signed by the Standard Webhooks scheme, retried, logged, replayed, paused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hygie.accounts.actors import Actor
from hygie.api import webhooks
from hygie.api.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from hygie.api.scopes import Scope
from hygie.api.services import webhook_endpoint_create
from hygie.lib import events

pytestmark = pytest.mark.django_db(transaction=True)


def endpoint_for(receiver, admin, organisation, *chosen: str) -> WebhookEndpoint:  # type: ignore[no-untyped-def]
    return webhook_endpoint_create(
        organisation=organisation,
        url=receiver.url,
        events_chosen=list(chosen or events.ALL_EVENTS),
        description="CRM",
        actor=Actor.staff(admin),
    )


def run_due() -> int:
    WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    return webhooks.worker_step("test")


def test_an_import_through_the_api_reaches_the_receiver_signed(receiver, admin, organisation, api):
    endpoint = endpoint_for(receiver, admin, organisation, events.IMPORT_FINISHED)
    api(Scope.WRITE_PEOPLE).send("post", "/people/bulk", {"rows": [{"email": "a@example.org"}]})
    assert webhooks.worker_step("test") == 1
    [call] = receiver.received
    headers = {k.lower(): v for k, v in call["headers"].items()}
    payload = Webhook(endpoint.secret).verify(call["body"], headers)
    assert payload["type"] == "import.finished"
    assert payload["data"]["counts"]["new"] == 1
    # No personal data in the payload: identifiers and counts only.
    assert "a@example.org" not in call["body"]
    # A forged body fails the check.
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(call["body"].replace("1", "2"), headers)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED
    assert delivery.last_status_code == 200


def test_only_chosen_events_of_the_own_organisation_are_sent(
    receiver, admin, organisation, other_organisation
):
    endpoint_for(receiver, admin, organisation, events.REPORT_RECEIVED)
    events.publish(events.IMPORT_FINISHED, organisation_id=organisation.pk, import_id=1)
    events.publish(events.REPORT_RECEIVED, organisation_id=other_organisation.pk, report_id=1)
    assert webhooks.worker_step("test") == 0
    events.publish(events.REPORT_RECEIVED, organisation_id=organisation.pk, report_id=7)
    assert webhooks.worker_step("test") == 1
    assert json.loads(receiver.received[0]["body"])["data"] == {"report_id": 7}


def test_failures_are_retried_with_backoff_and_logged(receiver, admin, organisation):
    endpoint_for(receiver, admin, organisation)
    receiver.answers = [500, 503]
    events.publish(events.CAMPAIGN_LAUNCHED, organisation_id=organisation.pk, campaign_id=3)
    webhooks.worker_step("test")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert webhooks.worker_step("test") == 0  # not due yet
    run_due()
    run_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    ids = {call["headers"]["webhook-id"] for call in receiver.received}
    assert ids == {delivery.message_id}  # the same id on each retry: receivers de-duplicate


def test_a_delivery_can_be_replayed_from_the_console(receiver, admin, organisation, console):
    endpoint_for(receiver, admin, organisation)
    events.publish(events.CAMPAIGN_FINISHED, organisation_id=organisation.pk, campaign_id=3)
    webhooks.worker_step("test")
    original = WebhookDelivery.objects.get()
    page = console(admin).get(reverse("api:webhooks"))
    assert original.message_id in page.content.decode()
    console(admin).post(reverse("api:delivery_replay", args=[original.pk]))
    webhooks.worker_step("test")
    assert len(receiver.received) == 2
    assert receiver.received[1]["headers"]["webhook-id"] != original.message_id
    assert json.loads(receiver.received[1]["body"]) == json.loads(receiver.received[0]["body"])


def test_an_endpoint_that_keeps_failing_is_paused_and_the_administrators_told(
    receiver, admin, organisation
):
    endpoint = endpoint_for(receiver, admin, organisation)
    receiver.answers = [500] * 100
    for n in range(webhooks.DISABLE_AFTER_FAILURES):
        events.publish(events.REPORT_RECEIVED, organisation_id=organisation.pk, report_id=n)
    webhooks.worker_step("test")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert [m.to for m in mail.outbox] == [[admin.email]]
    # Paused: what is pending waits, nothing more is tried.
    tried = len(receiver.received)
    events.publish(events.REPORT_RECEIVED, organisation_id=organisation.pk, report_id=99)
    assert run_due() == 0
    assert len(receiver.received) == tried


def test_a_rotated_secret_signs_alongside_the_previous_one(receiver, admin, organisation, console):
    endpoint = endpoint_for(receiver, admin, organisation)
    old_secret = endpoint.secret
    console(admin).post(reverse("api:webhook_action", args=[endpoint.pk, "rotate"]))
    endpoint.refresh_from_db()
    events.publish(events.IMPORT_FINISHED, organisation_id=organisation.pk, import_id=1)
    webhooks.worker_step("test")
    call = receiver.received[0]
    headers = {k.lower(): v for k, v in call["headers"].items()}
    Webhook(endpoint.secret).verify(call["body"], headers)
    Webhook(old_secret).verify(call["body"], headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "ftp://example.org/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_endpoints_on_private_or_loopback_addresses_are_refused(admin, organisation, url):
    with pytest.raises(ValidationError):
        webhook_endpoint_create(
            organisation=organisation,
            url=url,
            events_chosen=[events.REPORT_RECEIVED],
            description="",
            actor=Actor.staff(admin),
        )
    assert not WebhookEndpoint.objects.exists()


def test_the_form_offers_only_events_that_are_published():
    """Each event an endpoint may choose is published by some app (outside this one, which
    only labels them): offering an event that never fires would mislead a receiver."""
    from pathlib import Path

    from hygie.api.forms import EndpointForm

    hygie = Path(events.__file__).parents[1]
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in hygie.rglob("*.py")
        if not {"tests", "api", "lib"} & set(path.relative_to(hygie).parts)
    )
    for name, _label in EndpointForm().fields["events"].choices:
        constant = next(k for k, v in vars(events).items() if v == name and k.isupper())
        assert f"events.{constant}" in sources, name
