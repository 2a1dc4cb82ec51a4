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


def test_expired_reports_leave_their_lure_groups_counted_or_gone(organisation):
    from hygie.reporting.grouping import report_group_assign
    from hygie.reporting.models import LureGroup

    organisation.retention_months = 12
    organisation.save()
    now = timezone.now()
    details = {
        "text": "Réglez la facture impayée sur le portail avant demain soir merci",
        "urls": [],
    }

    def report(days: int, email: str) -> Report:
        created = Report.objects.create(
            organisation=organisation,
            received_at=now - timedelta(days=days),
            reporter_email=email,
            subject="Facture impayée",
            original_domain="facturation-portail.example",
            details=details,
        )
        report_group_assign(report=created)
        return created

    report(370, "a@cabinet.example")
    kept = report(300, "b@cabinet.example")
    lonely = report(380, "c@cabinet.example")
    Report.objects.filter(pk=lonely.pk).update(
        group=LureGroup.objects.create(organisation=organisation)
    )
    assert purge_expired_reports(now) == 2
    (group,) = LureGroup.objects.all()
    assert group.pk == Report.objects.get(pk=kept.pk).group_id
    assert group.reports_count == 1 and group.reporters_count == 1
