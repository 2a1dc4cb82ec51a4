from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation
from hygie.accounts.roles import Permission
from hygie.analytics import exports, rollups, selectors, services
from hygie.analytics.figures import board, programme_charts
from hygie.analytics.models import (
    AnnualReport,
    CampaignKind,
    CampaignRollup,
    Dimension,
    ReportStatus,
)
from hygie.analytics.recommendations import recommend_themes
from hygie.audience.exports import csv_stream
from hygie.lib.pdf import pdf_response

FORMATS = ("csv", "xlsx")


def _year(request: HttpRequest) -> int:
    organisation = request_organisation(request)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return selectors.default_year(organisation)
    return year if 2000 <= year <= 2100 else selectors.default_year(organisation)


def _table_response(table: exports.Table, name: str, fmt: str) -> HttpResponse:
    headers, rows = table
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_table(rows, headers, title=name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            "".join(csv_stream(exports.safe_rows(rows), headers)),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@console_view(Permission.VIEW_RESULTS)
def overview(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    programme = selectors.programme(organisation, _year(request))
    return render(
        request,
        "analytics/overview.html",
        {
            "p": programme,
            "board": board(organisation, programme),
            "charts": programme_charts(programme),
            "recommendations": recommend_themes(organisation, limit=5),
            "tables": list(exports.PROGRAMME_TABLES),
        },
    )


def _rollup_choice(organisation: Organisation, value: str) -> CampaignRollup | None:
    """`value` is "<kind>-<campaign id>"; default: the latest simulation, else campaign."""
    rollups.refresh(organisation, stale_too=False)
    found = CampaignRollup.objects.filter(organisation=organisation)
    kind, _sep, pk = value.partition("-")
    if kind in CampaignKind.values and pk.isdigit():
        return get_object_or_404(found, kind=kind, campaign_id=int(pk))
    latest = found.filter(kind=CampaignKind.SIMULATION).order_by("-started_at").first()
    return latest or found.order_by("-started_at").first()


def _dimension(request: HttpRequest) -> str:
    value = request.GET.get("dimension", Dimension.DEPARTEMENT)
    return value if value in Dimension.values else Dimension.DEPARTEMENT


@require_GET
@console_view(Permission.VIEW_RESULTS)
def breakdown(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    rollup = _rollup_choice(organisation, request.GET.get("campaign", ""))
    dimension = _dimension(request)
    return render(
        request,
        "analytics/breakdown.html",
        {
            "b": selectors.breakdown(rollup, dimension) if rollup else None,
            "dimension": dimension,
            "dimensions": Dimension.choices,
            "campaigns": [
                (f"{c.kind}-{c.campaign_id}", c)
                for c in CampaignRollup.objects.filter(organisation=organisation)
                .defer("errors")
                .order_by("-started_at")
            ],
            "selected": f"{rollup.kind}-{rollup.campaign_id}" if rollup else "",
            "threshold": organisation.anonymity_threshold,
        },
    )


@require_GET
@console_view(Permission.VIEW_RESULTS)
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    organisation = request_organisation(request)
    if fmt not in FORMATS:
        raise Http404
    if table == "breakdown":
        rollup = _rollup_choice(organisation, request.GET.get("campaign", ""))
        if rollup is None:
            raise Http404
        dimension = _dimension(request)
        result = exports.breakdown_table(selectors.breakdown(rollup, dimension))
        return _table_response(result, f"breakdown-{dimension}-{rollup.campaign_id}", fmt)
    build = exports.PROGRAMME_TABLES.get(table)
    if build is None:
        raise Http404
    year = _year(request)
    return _table_response(build(selectors.programme(organisation, year)), f"{table}-{year}", fmt)


@require_GET
@console_view(Permission.VIEW_INDIVIDUAL_RESULTS)
def individual_export(request: HttpRequest, kind: str, campaign_id: int, fmt: str) -> HttpResponse:
    organisation = request_organisation(request)
    if fmt not in FORMATS or kind not in CampaignKind.values:
        raise Http404
    rollups.refresh(organisation, stale_too=False)
    rollup = get_for_organisation(
        CampaignRollup.objects.all(), request, kind=kind, campaign_id=campaign_id
    )
    services.individual_export_record(rollup=rollup, actor=Actor.from_request(request), fmt=fmt)
    return _table_response(
        exports.individual_table(rollup), f"individual-{kind}-{campaign_id}", fmt
    )


@require_GET
@console_view(Permission.VIEW_RESULTS)
def reports(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    return render(
        request,
        "analytics/reports.html",
        {
            "reports": AnnualReport.objects.filter(organisation=organisation).defer("pdf")[:20],
            "years": selectors.years(organisation),
            "default_year": selectors.report_default_year(organisation),
        },
    )


@require_POST
@console_view(Permission.VIEW_RESULTS)
def report_request(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise Http404 from exc
    report = services.annual_report_request(
        organisation=request_organisation(request),
        year=year,
        actor=Actor.from_request(request),
    )
    return redirect("analytics:report_status", report.pk)


@require_GET
@console_view(Permission.VIEW_RESULTS)
def report_status(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_for_organisation(AnnualReport.objects.defer("pdf"), request, pk=report_id)
    return render(
        request,
        "analytics/report_status.html",
        {
            "report": report,
            "pending": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        },
    )


@require_GET
@console_view(Permission.VIEW_RESULTS)
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_for_organisation(
        AnnualReport.objects.filter(status=ReportStatus.READY), request, pk=report_id
    )
    return pdf_response(bytes(report.pdf or b""), f"rapport-annuel-{report.year}.pdf")
