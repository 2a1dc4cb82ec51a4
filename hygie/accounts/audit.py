"""Writing the staff audit log. Every service that changes tenant data calls `audit_record`."""

from __future__ import annotations

from typing import Any

from django.db import models

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry, Organisation


def audit_record(
    *,
    action: str,
    actor: Actor,
    organisation: Organisation | None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record `action`, done by `actor` (its user, address, channel and API token)."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor.user,
        actor_label=actor.label,
        channel=actor.channel,
        api_token_id=actor.api_token_id,
        api_token_label=actor.api_token_label[:254],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        details=details or {},
        ip_address=actor.ip,
    )
