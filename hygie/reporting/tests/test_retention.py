from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.operations.schedule import DUE_WORK_SOURCES
from hygie.reporting.models import Report
from hygie.reporting.retention import purge_expired_reports
from hygie.reporting.steps import purge_old_reports


def test_reports_are_deleted_after_the_organisations_retention(organisation):
    organisation.retention_months = 12
    organisation.save()
    now = timezone.now()
    old = Report.objects.create(organisation=organisation, received_at=now - timedelta(days=370))
    recent = Report.objects.create(organisation=organisation, received_at=now - timedelta(days=300))
    assert purge_old_reports in DUE_WORK_SOURCES
    assert purge_expired_reports(now) == 1
    assert list(Report.objects.all()) == [recent]
    assert not Report.objects.filter(pk=old.pk).exists()
    assert purge_expired_reports(now) == 0
