"""Webhook deliveries: recorded with the event's transaction, sent by the worker.

Each delivery is signed by the Standard Webhooks scheme (`webhook-id`,
`webhook-timestamp`, `webhook-signature`), retried with exponential backoff, and logged
with the receiver's answer. An endpoint that keeps failing is disabled and the
organisation's administrators are told by email.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from hygie.accounts.models import Membership
from hygie.accounts.roles import Role
from hygie.api.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from hygie.lib import events
from hygie.lib.emails import absolute_url, send_email_on_commit
from hygie.lib.netguard import AddressNotAllowed, HostNotFound, parse_networks, public_addresses

logger = logging.getLogger(__name__)

# Delay before each retry (the first attempt is immediate): about 17 hours in all.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
# Failed attempts in a row (across deliveries) after which an endpoint is disabled.
DISABLE_AFTER_FAILURES = 15
TIMEOUT_SECONDS = 10
BATCH = 20
CLAIM_SECONDS = 60


def record_event(event: events.Event) -> None:
    """Subscriber of `hygie.lib.events`: one pending delivery per interested endpoint."""
    endpoints = WebhookEndpoint.objects.filter(
        organisation_id=event.organisation_id, is_active=True
    ).only("id", "events")
    created_at = timezone.now()
    payload = {"type": event.name, "timestamp": created_at.isoformat(), "data": event.data}
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint.pk,
            message_id="msg_" + secrets.token_hex(12),
            event=event.name,
            payload=payload,
            created_at=created_at,
        )
        for endpoint in endpoints
        if event.name in endpoint.events
    )


def signature_header(endpoint: WebhookEndpoint, message_id: str, moment, body: str) -> str:  # type: ignore[no-untyped-def]
    """`v1,<sig>`, and a second signature by the previous secret during a rotation."""
    secrets_in_use = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and (endpoint.previous_secret_until > timezone.now())
    ):
        secrets_in_use.append(endpoint.previous_secret)
    return " ".join(Webhook(s).sign(message_id, moment, body) for s in secrets_in_use)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an address the endpoint check would have refused.
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Send one delivery; (HTTP status or None, error text for the log)."""
    parts = urlsplit(endpoint.url)
    try:
        public_addresses(
            parts.hostname or "",
            parts.port or (443 if parts.scheme == "https" else 80),
            allowed_networks=parse_networks(settings.WEBHOOK_ALLOWED_NETWORKS),
        )
    except HostNotFound:
        return None, "host not found"
    except AddressNotAllowed:
        return None, "address not allowed"
    moment = timezone.now()
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked at creation
        endpoint.url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "webhooks",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signature_header(endpoint, delivery.message_id, moment, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, type(reason).__name__


def _claim(now) -> list[WebhookDelivery]:  # type: ignore[no-untyped-def]
    """Take due deliveries for a while, so that two workers never send the same one."""
    due = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=WebhookDeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).order_by("next_attempt_at", "id")
    ids = list(due.values_list("id", flat=True)[:BATCH])
    claimed = []
    for pk in ids:
        taken = WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=pk,
            status=WebhookDeliveryStatus.PENDING,
        ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        if taken:
            claimed.append(pk)
    return list(WebhookDelivery.objects.filter(pk__in=claimed).select_related("endpoint"))


def deliver(delivery: WebhookDelivery) -> None:
    endpoint = delivery.endpoint
    status, error = _post(endpoint, delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    delivery.claimed_until = None
    succeeded = status is not None and 200 <= status < 300
    with transaction.atomic():
        if succeeded:
            delivery.status = WebhookDeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            delivery.last_error = error[:200]
            if delivery.attempts > len(RETRY_DELAYS):
                delivery.status = WebhookDeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            _count_failure(endpoint)
        delivery.save()


def _count_failure(endpoint: WebhookEndpoint) -> None:
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    endpoint.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if endpoint.is_active and endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES:
        endpoint.is_active = False
        endpoint.disabled_reason = "repeated failures"
        fields += ["is_active", "disabled_reason"]
        admins = Membership.objects.filter(
            organisation_id=endpoint.organisation_id, role=Role.ADMIN
        ).values_list("user__email", flat=True)
        recipients = [a for a in admins if a]
        if recipients:
            send_email_on_commit(
                "webhook_disabled",
                to=recipients,
                context={
                    "endpoint": endpoint,
                    "failures": endpoint.consecutive_failures,
                    "url": absolute_url("/console/api/webhooks/"),
                },
            )
        logger.warning("webhook endpoint %s disabled after repeated failures", endpoint.pk)
    endpoint.save(update_fields=fields)


def worker_step(worker_id: str) -> int:
    """Registered in the worker's steps: send what is due; how many were tried."""
    deliveries = _claim(timezone.now())
    for delivery in deliveries:
        deliver(delivery)
    return len(deliveries)
