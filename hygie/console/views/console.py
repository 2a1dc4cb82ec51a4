"""Console shell: dashboard, organisation switcher, audit log, operations, the content library.

The team, settings and security pages are in accounts, the capsule editor in library;
hygie/console/urls/console.py mounts them under their `console:` names."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from hygie.accounts.access import (
    console_view,
    current_membership,
    request_organisation,
    request_user,
    select_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.roles import Permission
from hygie.analytics import selectors as analytics
from hygie.audience import selectors as audience_selectors
from hygie.console import selectors
from hygie.library.selectors import available_capsules
from hygie.operations import selectors as ops_selectors
from hygie.phishing.selectors import available_scenarios

AUDIT_PAGE_SIZE = 50


@require_GET
@console_view(Permission.VIEW_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    membership = current_membership(request)
    can_see_results = membership is not None and membership.can(Permission.VIEW_RESULTS)
    return render(
        request,
        "console/dashboard.html",
        {
            "audience": selectors.audience_summary(organisation),
            "glance": analytics.glance(organisation) if can_see_results else None,
        },
    )


@require_GET
@login_required
def no_organisation(request: HttpRequest) -> HttpResponse:
    if current_membership(request) is not None:
        return redirect("console:dashboard")
    return render(request, "console/no_organisation.html")


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    membership = select_organisation(request, organisation_id)
    audit_record(
        action="staff.organisation_switched",
        actor=Actor.from_request(request),
        organisation=membership.organisation,
    )
    return redirect("console:dashboard")


@require_GET
@console_view(Permission.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    page = Paginator(selectors.audit_entries(organisation), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "console/audit_log.html", {"page": page})


@require_GET
@console_view(Permission.VIEW_OPERATIONS)
def operations(request: HttpRequest) -> HttpResponse:
    if not request_user(request).is_superuser:
        # Host names, process ids and queue sizes describe the whole installation and
        # every tenant's activity: an organisation sees only its own jobs.
        return render(
            request,
            "console/operations.html",
            {"own_imports": audience_selectors.imports(request_organisation(request))[:20]},
        )
    return render(
        request,
        "console/operations.html",
        {
            "platform": True,
            "processes": ops_selectors.process_statuses(),
            "periodic_jobs": ops_selectors.periodic_jobs(),
            "job_counts": ops_selectors.job_counts(),
        },
    )


@require_GET
@console_view(Permission.MANAGE_CONTENT)
def library(request: HttpRequest) -> HttpResponse:
    """The shipped content: capsules (latest versions) and simulation scenarios."""
    organisation = request_organisation(request)
    return render(
        request,
        "console/library.html",
        {
            "capsules": available_capsules(organisation),
            # Shipped scenarios and this organisation's own versions, never another's.
            "scenarios": available_scenarios(organisation),
        },
    )
