"""Lures in circulation: the groups of real reports, for the staff who handle them.

Needs HANDLE_INCIDENTS, like the triage queue. Groups are fetched with
`get_for_organisation` (another tenant's is a 404); writes go through `services`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
    request_user,
)
from hygie.accounts.roles import Permission
from hygie.audience.models import Segment
from hygie.reporting import selectors, services
from hygie.reporting.models import LureGroup
from hygie.reporting.rendering import annotate, defang

HANDLE = Permission.HANDLE_INCIDENTS


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
            "preview": services.alert_preview(group),
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
            actor=request_user(request),
            name=request.POST.get("name", ""),
            request=request,
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
        lambda: services.group_merge(
            group=group, others=others, actor=request_user(request), request=request
        ),
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
            actor=request_user(request),
            request=request,
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
            actor=request_user(request),
            status=request.POST.get("status", ""),
            request=request,
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
            actor=request_user(request),
            segments=segments,
            sms=request.POST.get("sms") == "on",
            request=request,
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


@require_GET
@console_view(HANDLE)
def group_export(request: HttpRequest, group_id: int, kind: str) -> HttpResponse:
    group = _group(request, group_id)
    try:
        export = services.group_export(
            group=group, actor=request_user(request), kind=kind, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:group", group_id=group.pk)
    response = HttpResponse(export.content, content_type=export.content_type)
    # Always a download: the lure is never displayed by the browser from here.
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
