"""Background jobs of analytics: generating the annual report."""

from __future__ import annotations

import logging

from django.tasks import task
from django.utils import timezone

from .models import AnnualReport, ReportStatus
from .report import render_annual_report

logger = logging.getLogger(__name__)


@task()
def generate_annual_report(report_id: int) -> None:
    report = AnnualReport.objects.select_related("organisation").get(pk=report_id)
    if report.status != ReportStatus.QUEUED:
        return  # already done by another worker or cancelled
    AnnualReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=10)

    def progress(percent: int) -> None:
        AnnualReport.objects.filter(pk=report.pk).update(progress=percent)

    try:
        content = render_annual_report(report.organisation, report.year, progress)
    except Exception as exc:  # a failed report says why instead of spinning forever
        logger.exception("annual report failed", extra={"report": report.pk})
        AnnualReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.READY, progress=100, pdf=content, finished_at=timezone.now()
    )
