"""The incident desk in the console: the queue, one report, callback slots, statistics.

Every page requires the HANDLE_INCIDENTS capability; reports and slots are fetched with
`get_for_organisation`, so another organisation's object is a 404. Writes go through
`services`, which audit them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor, Channel
from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Permission
from hygie.incidents import selectors, services
from hygie.incidents.forms import AssignForm, NoteForm, SlotForm, StatusForm
from hygie.incidents.models import CallbackSlot, IncidentReport, ReportStatus
from hygie.incidents.views.public import SEVERITY_LABELS
from hygie.lib.emails import absolute_url

HANDLE = Permission.HANDLE_INCIDENTS
PAGE_SIZE = 50


# --- The queue -----------------------------------------------------------------------


@require_GET
@console_view(HANDLE)
def queue(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    status = request.GET.get("status", selectors.DEFAULT_FILTER)
    if status not in selectors.QUEUE_FILTERS:
        status = selectors.DEFAULT_FILTER
    page = Paginator(selectors.queue(organisation, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    counts = selectors.queue_counts(organisation)
    return render(
        request,
        "incidents/desk/queue.html",
        {
            "page": page,
            "rows": selectors.queue_rows(page.object_list, now),
            "assistant_url": absolute_url(
                reverse("incidents:org_start", kwargs={"organisation": organisation.slug})
            ),
            "status": status,
            "filters": [
                (name, label, counts[name])
                for name, label in (
                    ("open", _("Open")),
                    ("new", _("New")),
                    ("in_progress", _("In progress")),
                    ("closed", _("Closed")),
                    ("all", _("All")),
                )
            ],
            "has_reports": counts["all"] > 0,
        },
    )


# --- One report ----------------------------------------------------------------------


def _report(request: HttpRequest, report_id: int) -> IncidentReport:
    return get_for_organisation(
        IncidentReport.objects.select_related("assignee", "slot", "organisation"),
        request,
        pk=report_id,
    )


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: dt.datetime
    actor: str
    text: str


def _status_label(value: object) -> str:
    return str(ReportStatus(value).label) if value in ReportStatus.values else str(value)


def _history(report: IncidentReport) -> list[HistoryLine]:
    """The audited desk actions on a report, oldest first, in words."""
    entries = AuditEntry.objects.filter(
        organisation=report.organisation,
        target_type=report._meta.label_lower,
        target_id=str(report.pk),
    ).order_by("at", "id")
    lines = []
    for entry in entries:
        details = entry.details or {}
        if entry.action == "incident.status_changed":
            text = _("Status: %(from)s → %(to)s") % {
                "from": _status_label(details.get("from")),
                "to": _status_label(details.get("to")),
            }
        elif entry.action == "incident.assigned":
            text = (
                _("Assigned to %(email)s") % {"email": details["to"]}
                if details.get("to")
                else _("Assigned to nobody")
            )
        elif entry.action == "incident.note_added":
            text = _("Note added")
        elif entry.action == "incident.personal_data_exported":
            text = _("Personal data exported")
        elif entry.action == "incident.personal_data_erased":
            text = (
                _("Personal data erased at the end of the retention period")
                if details.get("reason") == "retention"
                else _("Personal data erased on request")
            )
        else:
            text = entry.action
        lines.append(HistoryLine(at=entry.at, actor=_who(entry), text=text))
    return lines


def _who(entry: AuditEntry) -> str:
    """The staff member, or the API token that made the change (not its creator)."""
    if entry.channel != Channel.API:
        return entry.actor_label
    token = entry.api_token_label or _("API token no. %(id)s") % {"id": entry.api_token_id}
    return _("%(token)s via the API") % {"token": token}


def _render_report(
    request: HttpRequest,
    report: IncidentReport,
    *,
    status_form: StatusForm | None = None,
    assign_form: AssignForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    outcome = selectors.outcome_of(report)
    deadlines = [
        (deadline, selectors.deadline_state(deadline, now) if report.is_open else "")
        for deadline in selectors.deadlines_of(report)
    ]
    history = _history(report)
    return render(
        request,
        "incidents/desk/report.html",
        {
            "report": report,
            "outcome": outcome,
            "outcome_title": selectors.outcome_title(report),
            "severity_label": SEVERITY_LABELS.get(report.severity, report.severity),
            "answers": selectors.answers_of(report),
            "deadlines": deadlines,
            "alert": selectors.deadline_alert(report, now),
            "notes": report.notes.select_related("author"),
            "history": history,
            "status_form": status_form or StatusForm(initial={"status": report.status}),
            "assign_form": assign_form
            or AssignForm(organisation=report.organisation, initial={"assignee": report.assignee}),
            "note_form": note_form or NoteForm(),
            "erased_on": selectors.erasure_date(report),
        },
        status=status,
    )


@require_GET
@console_view(HANDLE)
def report_personal_data(request: HttpRequest, report_id: int) -> HttpResponse:
    """What the report holds about its sender, as JSON, to answer an access request."""
    report = _report(request, report_id)
    data = services.report_export_personal_data(report=report, actor=Actor.from_request(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="incident-{report.reference}-personal-data.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@console_view(HANDLE)
def report_erase(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return _render_report(request, report, status=400)
    try:
        services.report_erase_personal_data(report=report, actor=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _render_report(request, report, status=400)
    messages.success(request, _("The sender's details and the internal notes were erased."))
    return redirect("desk:report", report_id=report.pk)


@require_GET
@console_view(HANDLE)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    return _render_report(request, _report(request, report_id))


@require_POST
@console_view(HANDLE)
def report_status(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, status_form=form, status=400)
    services.report_change_status(
        report=report,
        status=form.cleaned_data["status"],
        actor=Actor.from_request(request),
    )
    messages.success(
        request,
        _("Status changed to “%(status)s”.") % {"status": ReportStatus(report.status).label},
    )
    return redirect("desk:report", report_id=report.pk)


@require_POST
@console_view(HANDLE)
def report_assign(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = AssignForm(request.POST, organisation=request_organisation(request))
    if not form.is_valid():
        return _render_report(request, report, assign_form=form, status=400)
    assignee = form.cleaned_data["assignee"]
    try:
        services.report_assign(report=report, assignee=assignee, actor=Actor.from_request(request))
    except ValidationError as error:
        form.add_error("assignee", error)
        return _render_report(request, report, assign_form=form, status=400)
    if assignee is None:
        messages.success(request, _("The report is assigned to nobody."))
    else:
        messages.success(
            request, _("The report is assigned to %(name)s.") % {"name": assignee.display_name}
        )
    return redirect("desk:report", report_id=report.pk)


@require_POST
@console_view(HANDLE)
def report_note(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, note_form=form, status=400)
    services.report_add_note(
        report=report, text=form.cleaned_data["text"], actor=Actor.from_request(request)
    )
    messages.success(request, _("Note added."))
    return redirect("desk:report", report_id=report.pk)


# --- Callback slots ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(HANDLE)
def slots(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.slot_create(
            organisation=organisation,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            capacity=form.cleaned_data["capacity"],
            actor=Actor.from_request(request),
        )
        messages.success(request, _("Time slot added."))
        return redirect("desk:slots")
    return render(
        request,
        "incidents/desk/slots.html",
        {"slots": selectors.upcoming_slots(organisation), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@console_view(HANDLE)
def slot_delete(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = get_for_organisation(CallbackSlot.objects.all(), request, pk=slot_id)
    try:
        services.slot_delete(slot=slot, actor=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Time slot deleted."))
    return redirect("desk:slots")


# --- Statistics ----------------------------------------------------------------------


@require_GET
@console_view(HANDLE)
def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/desk/statistics.html",
        {"stats": selectors.statistics(request_organisation(request))},
    )


@require_GET
@console_view(HANDLE)
def content(request: HttpRequest) -> HttpResponse:
    """The guide's outcomes and when each should be reviewed again."""
    reviews = selectors.content_reviews()
    return render(
        request,
        "incidents/desk/content.html",
        {
            "reviews": reviews,
            "overdue": sum(review.overdue for review in reviews),
            "review_after_days": selectors.REVIEW_AFTER.days,
        },
    )
