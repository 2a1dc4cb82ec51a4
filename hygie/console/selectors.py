from __future__ import annotations

from django.db.models import Count, QuerySet

from hygie.accounts.models import AuditEntry, Organisation
from hygie.audience.models import Person, Segment


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
