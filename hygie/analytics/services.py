"""Writes of analytics: asking for an annual report, recording individual exports."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User

from .models import AnnualReport, CampaignRollup
from .tasks import generate_annual_report


@transaction.atomic
def annual_report_request(
    *, organisation: Organisation, year: int, actor: User, request: HttpRequest | None = None
) -> AnnualReport:
    report = AnnualReport.objects.create(organisation=organisation, year=year, requested_by=actor)
    audit_record(
        action="analytics.annual_report_requested",
        actor=actor,
        organisation=organisation,
        target=report,
        details={"year": year},
        request=request,
    )
    transaction.on_commit(lambda: generate_annual_report.enqueue(report.pk))
    return report


def individual_export_recorded(
    *, rollup: CampaignRollup, actor: User, fmt: str, request: HttpRequest | None = None
) -> None:
    audit_record(
        action="analytics.individual_results_exported",
        actor=actor,
        organisation=rollup.organisation,
        target=rollup,
        details={"kind": rollup.kind, "campaign": rollup.campaign_id, "format": fmt},
        request=request,
    )
