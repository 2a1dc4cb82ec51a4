"""Writes of the API app: tokens and webhook endpoints. Every change is audited."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.api import selectors
from hygie.api.models import ApiToken, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from hygie.api.scopes import NAMED_SCOPES, Scope
from hygie.api.selectors import may_see_names
from hygie.delivery import selectors as delivery_selectors
from hygie.delivery.models import Mailing, MailingStatus
from hygie.lib import events
from hygie.lib.netguard import AddressNotAllowed, HostNotFound, parse_networks, public_addresses

# A rotated secret keeps signing alongside the new one for this long.
ROTATION_OVERLAP = timedelta(hours=24)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain: str  # shown once, never stored


def api_token_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    actor: Actor,
) -> IssuedToken:
    unknown = [s for s in scopes if s not in Scope.values]
    if not scopes or unknown:
        raise ValidationError(_("Choose at least one valid scope."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The expiry date must be in the future."))
    if NAMED_SCOPES & set(scopes) and not may_see_names(actor.user, organisation):
        raise ValidationError(
            _("Only a staff member allowed to see named results may give the scope “%(scope)s”.")
            % {"scope": Scope.READ_NAMED_RESULTS.value}
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name.strip()[:120] or _("Token"),
            prefix=prefix,
            secret_hash=selectors.hash_secret(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            created_by=actor.user,
        )
        audit_record(
            action="api_token.create",
            actor=actor,
            organisation=organisation,
            target=token,
            details={"scopes": token.scopes, "ip": actor.ip},
        )
    return IssuedToken(token=token, plain=f"{selectors.TOKEN_MARK}_{prefix}_{secret}")


def api_token_revoke(*, token: ApiToken, actor: Actor) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api_token.revoke", actor=actor, organisation=token.organisation, target=token
        )


def api_token_record_use(*, token: ApiToken, actor: Actor, method: str, path: str) -> None:
    """Every authenticated call is audited (method and path), and the token's last use kept."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit_record(
        action="api_token.use",
        actor=actor,
        organisation=token.organisation,
        target=token,
        details={"method": method, "path": path[:200]},
    )


def api_token_record_named_read(
    *,
    token: ApiToken,
    actor: Actor,
    campaign: models.Model,
    outcome: str,
    people: int,
    cursor: str | None,
) -> None:
    """A read of named results through the API, audited as the console audits its page: in
    the name of the token's creator, on the simulation, with the token named."""
    audit_record(
        action="simulation.individual_results_viewed",
        actor=actor,
        organisation=token.organisation,
        target=campaign,
        details={
            "outcome": outcome,
            "people": people,
            "cursor": cursor,
            "via": "api",
            "token_id": token.pk,
            "token": f"{token.name} (hyg_{token.prefix}_…)",
        },
    )


def mailing_launch_confirmed(
    *, mailing: Mailing, launch: Callable[[], int], recipients: int
) -> int:
    """Run a campaign's own launch service (`launch`) as the console's confirmation does:
    only if it reaches the number of recipients the caller was shown. Checked before (no
    work for a stale number) and after, in the launch's transaction, so that people added
    in between roll the whole launch back rather than receive it unconfirmed."""

    def changed(now: int) -> ValidationError:
        return ValidationError(
            _(
                "The recipients changed since the forecast: %(now)d now, not %(confirmed)d. "
                "Read the forecast again, then confirm with its number."
            )
            % {"now": now, "confirmed": recipients}
        )

    if mailing.status == MailingStatus.DRAFT:
        now = delivery_selectors.recipients(mailing).count()
        if now != recipients:
            raise changed(now)
    with transaction.atomic():
        count = launch()
        if count != recipients:
            raise changed(count)
    return count


def _new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_webhook_url(url: str) -> None:
    """Refuse an endpoint that is not a web address, or that resolves to a loopback,
    private, link-local or reserved address (unless the operator allowed that network)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError(_("Give a full web address starting with https://."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        public_addresses(
            parts.hostname,
            port,
            allowed_networks=parse_networks(settings.WEBHOOK_ALLOWED_NETWORKS),
        )
    except HostNotFound as exc:
        raise ValidationError(_("This host name does not resolve.")) from exc
    except AddressNotAllowed as exc:
        raise ValidationError(
            _("This address is on a private, loopback or reserved network: refused.")
        ) from exc


def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    events_chosen: list[str],
    description: str,
    actor: Actor,
) -> WebhookEndpoint:
    _check_webhook_url(url)
    chosen = [e for e in events_chosen if e in events.ALL_EVENTS]
    if not chosen:
        raise ValidationError(_("Choose at least one event."))
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            url=url,
            events=chosen,
            description=description[:200],
            secret=_new_webhook_secret(),
        )
        audit_record(
            action="webhook.create",
            actor=actor,
            organisation=organisation,
            target=endpoint,
            details={"events": chosen},
        )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    with transaction.atomic():
        audit_record(
            action="webhook.delete",
            actor=actor,
            organisation=endpoint.organisation,
            target=endpoint,
        )
        endpoint.delete()


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    with transaction.atomic():
        endpoint.is_active = True
        endpoint.disabled_reason = ""
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["is_active", "disabled_reason", "consecutive_failures"])
        audit_record(
            action="webhook.enable",
            actor=actor,
            organisation=endpoint.organisation,
            target=endpoint,
        )


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor: Actor) -> str:
    with transaction.atomic():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = _new_webhook_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        audit_record(
            action="webhook.rotate_secret",
            actor=actor,
            organisation=endpoint.organisation,
            target=endpoint,
        )
    return endpoint.secret


def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Send an event again, under a new message id (receivers de-duplicate by id: a replay
    asked for by a person must not be dropped as a duplicate)."""
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint,
            message_id="msg_" + secrets.token_hex(12),
            event=delivery.event,
            payload=delivery.payload,
            status=WebhookDeliveryStatus.PENDING,
        )
        audit_record(
            action="webhook.replay",
            actor=actor,
            organisation=delivery.endpoint.organisation,
            target=delivery.endpoint,
            details={"message_id": delivery.message_id, "replay": copy.message_id},
        )
    return copy
