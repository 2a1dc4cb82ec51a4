"""Reports are personal data (who reported what, the message itself): they are deleted
after the organisation's retention period, like the other practitioner events."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.reporting.grouping import group_refresh
from hygie.reporting.models import Report

DAYS_PER_MONTH = 30


def purge_expired_reports(now: datetime | None = None) -> int:
    """Due-work source: delete reports older than their organisation's retention.

    Deleting is idempotent, so two schedulers running it at once is harmless.
    """
    now = now or timezone.now()
    deleted = 0
    for organisation_id, months in Organisation.objects.values_list("pk", "retention_months"):
        cutoff = now - timedelta(days=DAYS_PER_MONTH * max(months, 1))
        expired = Report.objects.filter(organisation_id=organisation_id, received_at__lt=cutoff)
        groups = set(expired.exclude(group=None).values_list("group_id", flat=True))
        _count, by_model = expired.delete()
        deleted += by_model.get(Report._meta.label, 0)
        # A lure group keeps counts of its remaining reports, and goes with the last one.
        group_refresh(groups)
    return deleted
