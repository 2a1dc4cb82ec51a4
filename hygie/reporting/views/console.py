"""The report mailbox in the console: configuration, the triage queue, one report,
statistics, and the lures in circulation (groups of real reports).

Configuration needs MANAGE_ORGANISATION, triage HANDLE_INCIDENTS, statistics
VIEW_RESULTS. Reports are fetched with `get_for_organisation` (another tenant's is a
404). Writes go through `services`, which audit them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.roles import Permission
from hygie.audience.models import Segment
from hygie.lib.editing import attach_validation_error
from hygie.reporting import selectors, services
from hygie.reporting.forms import AnswerForm, ClassifyForm, MailboxForm
from hygie.reporting.models import Classification, Kind, LureGroup, Mailbox, Report
from hygie.reporting.rendering import annotate, defang, header_summary, safe_html

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
                actor=Actor.from_request(request),
                fields=data,
                password=password,
            )
        except ValidationError as exc:
            attach_validation_error(form, exc)
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
            actor=Actor.from_request(request),
            classification=form.cleaned_data["classification"],
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
            actor=Actor.from_request(request),
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
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
        mailing = services.alert_create(report=report, actor=Actor.from_request(request))
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


# --- Lures in circulation: groups of real reports ----------------------------------------


def _group(request: HttpRequest, group_id: int) -> LureGroup:
    return get_for_organisation(
        LureGroup.objects.select_related("organisation"), request, pk=group_id
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@require_GET
@console_view(HANDLE)
def circulation(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    groups = selectors.groups_in_circulation(request_organisation(request), now=now)
    return render(
        request,
        "reporting/circulation.html",
        {"groups": groups, "ranks": {g.pk: selectors.group_rank(g, now) for g in groups}},
    )


@require_GET
@console_view(HANDLE)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    summary = selectors.group_summary(group)
    others = [
        g
        for g in selectors.groups_in_circulation(request_organisation(request))
        if g.pk != group.pk
    ][:50]
    return render(
        request,
        "reporting/group.html",
        {
            "summary": summary,
            "group": group,
            "pieces": annotate(summary.text),
            "defanged_urls": [defang(u) for u in summary.urls],
            "others": others,
            "segments": Segment.objects.filter(organisation=group.organisation).order_by("name"),
            "preview": selectors.alert_preview(group),
            "can_open_scenarios": request.membership.can(  # type: ignore[attr-defined]
                Permission.MANAGE_CAMPAIGNS
            ),
        },
    )


def _done(
    request: HttpRequest, group_id: int, action: Callable[[], object], success: str
) -> HttpResponse:
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:group", group_id=group_id)
    messages.success(request, success)
    if isinstance(result, LureGroup):
        return redirect("reporting:group", group_id=result.pk)
    return redirect("reporting:group", group_id=group_id)


@require_POST
@console_view(HANDLE)
def group_rename(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    return _done(
        request,
        group.pk,
        lambda: services.group_rename(
            group=group,
            actor=Actor.from_request(request),
            name=request.POST.get("name", ""),
        ),
        _("Name saved."),
    )


@require_POST
@console_view(HANDLE)
def group_merge(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    others = list(
        LureGroup.objects.filter(
            organisation=group.organisation, pk__in=_ids(request.POST.getlist("groups"))
        )
    )
    return _done(
        request,
        group.pk,
        lambda: services.group_merge(group=group, others=others, actor=Actor.from_request(request)),
        _("Groups merged."),
    )


@require_POST
@console_view(HANDLE)
def group_split(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    return _done(
        request,
        group.pk,
        lambda: services.group_split(
            group=group,
            report_ids=_ids(request.POST.getlist("reports")),
            actor=Actor.from_request(request),
        ),
        _("The chosen reports now form a group of their own."),
    )


@require_POST
@console_view(HANDLE)
def group_classify(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    try:
        told = services.group_classify(
            group=group,
            actor=Actor.from_request(request),
            status=request.POST.get("status", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Saved. Reporters told now: %(n)s.") % {"n": told},
        )
    return redirect("reporting:group", group_id=group.pk)


@require_POST
@console_view(HANDLE)
def group_alert(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.can(Permission.MANAGE_CAMPAIGNS):
        messages.error(request, _("Sending an alert needs the right to send mailings."))
        return redirect("reporting:group", group_id=group.pk)
    segments = list(
        Segment.objects.filter(
            organisation=group.organisation, pk__in=_ids(request.POST.getlist("segments"))
        )
    )
    try:
        alert = services.group_alert_send(
            group=group,
            actor=Actor.from_request(request),
            segments=segments,
            sms=request.POST.get("sms") == "on",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Alert on its way to %(n)s member, ahead of any other send.",
                "Alert on its way to %(n)s members, ahead of any other send.",
                alert.recipients,
            )
            % {"n": alert.recipients},
        )
    return redirect("reporting:group", group_id=group.pk)


@require_POST
@console_view(HANDLE)
def group_exercise(request: HttpRequest, group_id: int) -> HttpResponse:
    """Draft a simulation scenario from the lure; those who may open scenarios go
    straight to it."""
    group = _group(request, group_id)
    try:
        scenario = services.group_exercise_create(group=group, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:group", group_id=group.pk)
    messages.success(
        request,
        _(
            "Draft exercise created. It is never used before someone allowed to manage "
            "content reviews and publishes it."
        ),
    )
    if request.membership.can(Permission.MANAGE_CAMPAIGNS):  # type: ignore[attr-defined]
        return redirect("phishing:scenario", scenario_id=scenario.pk)
    return redirect("reporting:group", group_id=group.pk)


@require_GET
@console_view(HANDLE)
def group_export(request: HttpRequest, group_id: int, kind: str) -> HttpResponse:
    group = _group(request, group_id)
    try:
        export = services.group_export(group=group, actor=Actor.from_request(request), kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:group", group_id=group.pk)
    response = HttpResponse(export.content, content_type=export.content_type)
    # Always a download: the lure is never displayed by the browser from here.
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
