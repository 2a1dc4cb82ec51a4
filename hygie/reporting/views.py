"""The report mailbox in the console: configuration, the triage queue, one report,
statistics; and the public page where a person reports an SMS.

Configuration needs MANAGE_ORGANISATION, triage HANDLE_INCIDENTS, statistics
VIEW_RESULTS. Reports are fetched with `get_for_organisation` (another tenant's is a
404). Writes go through `services`, which audit them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
    request_user,
)
from hygie.accounts.audit import client_ip
from hygie.accounts.models import Organisation
from hygie.accounts.roles import Permission
from hygie.incidents.antispam import RateLimit
from hygie.phishing.services import scenario_of
from hygie.reporting import selectors, services
from hygie.reporting.forms import AnswerForm, ClassifyForm, MailboxForm, SmsReportForm
from hygie.reporting.models import Classification, Kind, Mailbox, Report
from hygie.reporting.rendering import header_summary, safe_html

HANDLE = Permission.HANDLE_INCIDENTS
PAGE_SIZE = 50


# --- Configuration -----------------------------------------------------------------


def _initial(mailbox: Mailbox | None) -> dict[str, object]:
    if mailbox is None:
        return {}
    return {name: getattr(mailbox, name) for name in services.MAILBOX_FIELDS}


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_ORGANISATION)
def mailbox_settings(request: HttpRequest) -> HttpResponse:
    # The IMAP client is loaded only here: the views module is imported by every process
    # that runs the system checks, workers included.
    from hygie.reporting import polling

    organisation = request_organisation(request)
    mailbox = Mailbox.objects.filter(organisation=organisation).first()
    form = MailboxForm(request.POST or None, initial=_initial(mailbox))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password")
        if request.POST.get("action") == "test":
            # Tried with what is typed, without saving anything.
            candidate = Mailbox(organisation=organisation, **data)
            if not password and mailbox is not None:
                candidate.password_encrypted = mailbox.password_encrypted
            try:
                if not password and not candidate.password_encrypted:
                    raise polling.MailboxError(_("Enter the password to test the connection."))
                messages.success(
                    request, polling.test_connection(candidate, password=password or None)
                )
            except polling.MailboxError as exc:
                messages.error(request, str(exc))
            return render(request, "reporting/settings.html", {"form": form, "mailbox": mailbox})
        try:
            services.mailbox_save(
                organisation=organisation,
                actor=request_user(request),
                fields=data,
                password=password,
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Report mailbox saved."))
            return redirect("reporting:settings")
    return render(request, "reporting/settings.html", {"form": form, "mailbox": mailbox})


# --- Triage ----------------------------------------------------------------------------


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
    counts = selectors.queue_counts(organisation)
    labels = {
        "new": _("To triage"),
        "phishing": _("Phishing"),
        "spam": _("Spam"),
        "legitimate": _("Legitimate"),
        "all": _("All"),
    }
    return render(
        request,
        "reporting/queue.html",
        {
            "page": page,
            "status": status,
            "filters": [(name, labels[name], counts[name]) for name in selectors.QUEUE_FILTERS],
            "mailbox": Mailbox.objects.filter(organisation=organisation).first(),
            "sms_url": request.build_absolute_uri(
                reverse("reporting_public:sms", kwargs={"organisation": organisation.slug})
            ),
        },
    )


def _report(request: HttpRequest, report_id: int) -> Report:
    return get_for_organisation(
        Report.objects.select_related("person", "classified_by", "organisation").defer("raw"),
        request,
        pk=report_id,
    )


@require_GET
@console_view(HANDLE)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    details = report.details
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "text": details.get("text", ""),
            "html": safe_html(str(details.get("html", ""))),
            "headers": header_summary(details.get("headers", [])),
            "urls": details.get("urls", []),
            "attachments": details.get("attachments", []),
            "problems": details.get("problems", []),
            "similar": selectors.similar(report),
            "classify_form": ClassifyForm(initial={"classification": report.classification}),
            "answer_form": AnswerForm(),
            "can_alert": report.classification == Classification.PHISHING
            and report.kind == Kind.SUSPICIOUS,
        },
    )


@require_POST
@console_view(HANDLE)
def report_classify(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = ClassifyForm(request.POST)
    if form.is_valid():
        services.report_classify(
            report=report,
            actor=request_user(request),
            classification=form.cleaned_data["classification"],
            request=request,
        )
        messages.success(request, _("Classification saved."))
    else:
        messages.error(request, _("Choose phishing, spam, legitimate or simulation."))
    return redirect("reporting:report", report_id=report.pk)


@require_POST
@console_view(HANDLE)
def report_answer(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the answer to send."))
        return redirect("reporting:report", report_id=report.pk)
    try:
        services.report_answer(
            report=report,
            actor=request_user(request),
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Answer sent to %(email)s.") % {"email": report.reporter_email})
    return redirect("reporting:report", report_id=report.pk)


@require_POST
@console_view(HANDLE)
def report_alert(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    try:
        mailing = services.alert_create(report=report, actor=request_user(request), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:report", report_id=report.pk)
    membership = request.membership  # type: ignore[attr-defined]
    if membership.can(Permission.MANAGE_CAMPAIGNS):
        messages.success(request, _("Alert drafted: choose who receives it, then send it."))
        return redirect("delivery:mailing", mailing_id=mailing.pk)
    messages.success(
        request, _("Alert drafted in Mailings: a campaign manager will review and send it.")
    )
    return redirect("reporting:report", report_id=report.pk)


@require_GET
@console_view(Permission.VIEW_RESULTS)
def statistics(request: HttpRequest) -> HttpResponse:
    figures = selectors.statistics(request_organisation(request))
    return render(request, "reporting/statistics.html", {"stats": figures})


# --- Public: reporting an SMS ---------------------------------------------------------------

SMS_REPORTS_PER_CLIENT = RateLimit(name="sms_reports", limit=10, window=3600)


@require_http_methods(["GET", "POST"])
def sms_report(request: HttpRequest, organisation: str) -> HttpResponse:
    """A person pastes a suspicious SMS: a simulation is recognised from its link (never
    followed), anything else joins the organisation's triage queue."""
    from hygie.reporting.intake import ingest_text

    org = get_object_or_404(Organisation, slug=organisation, is_active=True)
    form = SmsReportForm(request.POST or None)
    context: dict[str, object] = {"organisation": org, "form": form}
    if request.method == "POST" and form.is_valid():
        client = client_ip(request) or "unknown"
        if SMS_REPORTS_PER_CLIENT.exceeded(client):
            form.add_error(None, _("Too many reports from this connection: try again later."))
            return render(request, "reporting/sms_report.html", context, status=429)
        SMS_REPORTS_PER_CLIENT.hit(client)
        report = ingest_text(
            organisation=org,
            text=form.cleaned_data["text"],
            reporter=form.cleaned_data["email"].lower(),
        )
        context["report"] = report
        if report.delivery is not None:
            scenario = scenario_of(report.delivery)
            context["red_flags"] = scenario.data.get("red_flags", [])
        return render(request, "reporting/sms_reported.html", context)
    return render(request, "reporting/sms_report.html", context)
