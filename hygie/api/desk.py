"""/api/v1/reports (reported messages) and /api/v1/incidents: what arrived, its status and
its triage, never who wrote what. The message, the reporter and the incident's contact
details stay in the console, behind sign-in and two-factor authentication. An incident's
status changes through the desk's own service, with its audit."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError

from hygie.api.auth import actor_of, organisation_of, require
from hygie.api.paging import Page, paged
from hygie.api.schemas import ErrorOut, ValidationErrorOut
from hygie.api.scopes import Scope, needs
from hygie.incidents import services as incidents
from hygie.incidents.models import IncidentReport, ReportStatus
from hygie.reporting.models import Report

router = Router(tags=["reports and incidents"])


class ReportOut(Schema):
    id: int
    received_at: datetime
    channel: str
    kind: str
    processing: str
    classification: str
    classified_at: datetime | None
    group_id: int | None
    person_id: int | None
    original_domain: str


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


def _reports(request: HttpRequest) -> QuerySet[Report]:
    require(request, Scope.READ_REPORTS)
    return Report.objects.filter(organisation=organisation_of(request)).only(*REPORT_FIELDS)


REPORT_FIELDS = (
    "id",
    "received_at",
    "channel",
    "kind",
    "processing",
    "classification",
    "classified_at",
    "group_id",
    "person_id",
    "original_domain",
)


def _report_out(report: Report) -> dict[str, object]:
    return {name: getattr(report, name) for name in REPORT_FIELDS}


@router.get(
    "/reports",
    response={200: ReportPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="List reported messages",
    openapi_extra=needs(Scope.READ_REPORTS),
)
def list_reports(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_reports(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_report_out(r) for r in found], "next_cursor": cursor}


@router.get(
    "/reports/{report_id}",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get a reported message",
    openapi_extra=needs(Scope.READ_REPORTS),
)
def get_report(request: HttpRequest, report_id: Path[int]) -> dict[str, object]:
    return _report_out(get_object_or_404(_reports(request), pk=report_id))


class IncidentOut(Schema):
    id: int
    reference: str
    created_at: datetime
    discovered_at: datetime
    outcome_id: str
    severity: str
    status: str
    closed_at: datetime | None
    wants_callback: bool
    callback_at: datetime | None
    departement: str


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


def _incidents(request: HttpRequest) -> QuerySet[IncidentReport]:
    require(request, Scope.READ_REPORTS)
    return IncidentReport.objects.filter(organisation=organisation_of(request)).select_related(
        "slot"
    )


def _incident_out(incident: IncidentReport) -> dict[str, object]:
    return {
        **{
            name: getattr(incident, name)
            for name in (
                "id",
                "reference",
                "created_at",
                "discovered_at",
                "outcome_id",
                "severity",
                "status",
                "closed_at",
                "wants_callback",
                "departement",
            )
        },
        "callback_at": incident.slot.starts_at if incident.slot else None,
    }


@router.get(
    "/incidents",
    response={200: IncidentPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="List incident reports",
    openapi_extra=needs(Scope.READ_REPORTS),
)
def list_incidents(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_incidents(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_incident_out(i) for i in found], "next_cursor": cursor}


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get an incident report and its status",
    openapi_extra=needs(Scope.READ_REPORTS),
)
def get_incident(request: HttpRequest, incident_id: Path[int]) -> dict[str, object]:
    return _incident_out(get_object_or_404(_incidents(request), pk=incident_id))


class StatusIn(Schema):
    status: ReportStatus = Field(
        description="new, in_progress or closed: any status to any other, as on the desk."
    )


class StatusChangeOut(IncidentOut):
    previous_status: str
    changed: bool = Field(description="False when the incident already had this status.")


@router.post(
    "/incidents/{incident_id}/status",
    response={200: StatusChangeOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Change the status of an incident report",
    openapi_extra=needs(Scope.WRITE_INCIDENTS),
)
def change_incident_status(
    request: HttpRequest, incident_id: Path[int], payload: StatusIn
) -> dict[str, object]:
    require(request, Scope.WRITE_INCIDENTS)
    incident = get_object_or_404(
        IncidentReport.objects.filter(organisation=organisation_of(request)).select_related(
            "slot", "organisation"
        ),
        pk=incident_id,
    )
    previous = incident.status
    try:
        # The desk's service: same transitions, same audit (the token, in its creator's name).
        incidents.report_change_status(
            report=incident, status=payload.status.value, actor=actor_of(request)
        )
    except DjangoValidationError as exc:
        raise ValidationError(
            [{"loc": ("body", "payload", "status"), "msg": " ".join(exc.messages)}]
        ) from None
    return {
        **_incident_out(incident),
        "previous_status": previous,
        "changed": incident.status != previous,
    }
