"""Writing the staff audit log. Every service that changes tenant data calls `audit_record`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from hygie.accounts.models import AuditEntry, Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is trustworthy only without a proxy; deployments behind one
    # set the real address there through the proxy configuration.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: User | None,
    organisation: Organisation | None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        details=details or {},
        ip_address=client_ip(request),
    )
