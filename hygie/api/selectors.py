"""Reads of the API app, scoped to one organisation."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Max, Min, QuerySet

from hygie.accounts.models import Membership, Organisation, User
from hygie.accounts.roles import ROLE_PERMISSIONS, Permission
from hygie.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from hygie.delivery.models import Delivery, Mailing


def tokens(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("created_by")


def endpoints(organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation)


def recent_deliveries(organisation: Organisation, limit: int = 50) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__organisation=organisation).select_related(
        "endpoint"
    )[:limit]


def may_see_names(user: User | None, organisation: Organisation) -> bool:
    """Whether `user` may see named results in `organisation`: the console's right (the
    roles holding the individual-results permission), on an active account."""
    if user is None or not user.is_active:
        return False
    roles = ROLE_PERMISSIONS[Permission.VIEW_INDIVIDUAL_RESULTS]
    return Membership.objects.filter(user=user, organisation=organisation, role__in=roles).exists()


def planned_span(mailing: Mailing) -> tuple[datetime | None, datetime | None]:
    """When a launched mailing's first and last messages are planned."""
    span = Delivery.objects.filter(mailing=mailing, is_test=False).aggregate(
        first=Min("scheduled_at"), last=Max("scheduled_at")
    )
    return span["first"], span["last"]


# --- Tokens ----------------------------------------------------------------------

TOKEN_MARK = "hyg"  # noqa: S105 - the visible start of every token, not a secret


def hash_secret(secret: str) -> str:
    """What is stored of a token's secret (its SHA-256)."""
    return hashlib.sha256(secret.encode()).hexdigest()
