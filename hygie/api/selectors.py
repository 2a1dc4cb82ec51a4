"""Reads of the API app, scoped to one organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from hygie.accounts.models import Organisation
from hygie.api.models import ApiToken, WebhookDelivery, WebhookEndpoint


def tokens(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("created_by")


def endpoints(organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation)


def recent_deliveries(organisation: Organisation, limit: int = 50) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__organisation=organisation).select_related(
        "endpoint"
    )[:limit]
