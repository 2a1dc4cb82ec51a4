"""Reads of the organisation's team, for its console pages."""

from __future__ import annotations

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
