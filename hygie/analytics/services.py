"""Writes of analytics: asking for an annual report, recording individual exports."""

from __future__ import annotations

from django.db import transaction

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation

from .models import AnnualReport, CampaignRollup
from .tasks import generate_annual_report


@transaction.atomic
def annual_report_request(*, organisation: Organisation, year: int, actor: Actor) -> AnnualReport:
    report = AnnualReport.objects.create(
        organisation=organisation, year=year, requested_by=actor.user
    )
    audit_record(
        action="analytics.annual_report_requested",
        actor=actor,
        organisation=organisation,
        target=report,
        details={"year": year},
    )
    transaction.on_commit(lambda: generate_annual_report.enqueue(report.pk))
    return report


def individual_export_record(*, rollup: CampaignRollup, actor: Actor, fmt: str) -> None:
    audit_record(
        action="analytics.individual_results_exported",
        actor=actor,
        organisation=rollup.organisation,
        target=rollup,
        details={"kind": rollup.kind, "campaign": rollup.campaign_id, "format": fmt},
    )
