"""Reads on organisations, staff and invitations, for the team's console pages and the
invitation link."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from hygie.accounts.models import Invitation, Membership, Organisation


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    invitations = Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [invitation for invitation in invitations if invitation.is_pending]


def token_digest(token: str) -> str:
    """What is stored of an invitation link's token (its SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation behind a link, or None (expired, used, revoked or unknown alike)."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    return invitation
