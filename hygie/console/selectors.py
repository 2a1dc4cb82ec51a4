from __future__ import annotations

from django.db.models import Count, QuerySet

from hygie.accounts.models import AuditEntry, Invitation, Membership, Organisation
from hygie.audience.models import Person, Segment


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


def audit_entries(organisation: Organisation) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(organisation=organisation).order_by("-at", "-id")


def audience_summary(organisation: Organisation) -> dict[str, object]:
    by_status = dict(
        Person.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "segments": Segment.objects.filter(organisation=organisation).count(),
    }
