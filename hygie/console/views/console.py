"""Console shell: dashboard, organisation switcher, settings, members, audit log, operations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts import two_factor
from hygie.accounts.access import (
    console_view,
    current_membership,
    get_for_organisation,
    memberships_of,
    request_organisation,
    request_user,
    select_organisation,
)
from hygie.accounts.audit import audit_record
from hygie.accounts.forms import InvitationForm, OrganisationSettingsForm, RoleForm
from hygie.accounts.models import Invitation, Membership
from hygie.accounts.roles import Permission
from hygie.accounts.services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    organisation_update,
)
from hygie.analytics import selectors as analytics
from hygie.audience import selectors as audience_selectors
from hygie.console import selectors
from hygie.library import selectors as library_selectors
from hygie.library import services as capsule_services
from hygie.library.forms import CapsuleForm
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules
from hygie.operations import selectors as ops_selectors
from hygie.phishing.editing import available_scenarios

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
        actor=request_user(request),
        organisation=membership.organisation,
        request=request,
    )
    return redirect("console:dashboard")


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_ORGANISATION)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation_update(
            organisation=organisation,
            actor=request_user(request),
            changes={field: form.cleaned_data[field] for field in form.changed_data},
            request=request,
        )
        messages.success(request, _("Settings saved."))
        return redirect("console:settings")
    return render(request, "console/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_MEMBERS)
def members(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request_user(request),
                request=request,
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("console:members")
    return render(
        request,
        "console/members.html",
        {
            "form": form,
            "memberships": selectors.members_of(organisation),
            "invitations": selectors.pending_invitations(organisation),
            "role_form": RoleForm(),
        },
    )


@require_POST
@console_view(Permission.MANAGE_MEMBERS)
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_for_organisation(
        Membership.objects.select_related("user"), request, pk=membership_id
    )
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request_user(request),
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role updated."))
    return redirect("console:members")


@require_POST
@console_view(Permission.MANAGE_MEMBERS)
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_for_organisation(
        Membership.objects.select_related("user"), request, pk=membership_id
    )
    try:
        membership_remove(membership=membership, actor=request_user(request), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user})
    return redirect("console:members")


@require_POST
@console_view(Permission.MANAGE_MEMBERS)
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_organisation(Invitation.objects.all(), request, pk=invitation_id)
    invitation_revoke(invitation=invitation, actor=request_user(request), request=request)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("console:members")


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
@console_view(Permission.VIEW_DASHBOARD)
def account_security(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "console/security.html",
        {
            "has_device": two_factor.has_confirmed_device(user),
            "memberships": memberships_of(user),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
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


@require_GET
@console_view(Permission.MANAGE_CONTENT)
def capsule_preview(request: HttpRequest, capsule_id: int) -> HttpResponse:
    organisation = request_organisation(request)
    capsule = get_object_or_404(available_capsules(organisation), pk=capsule_id)
    # Staff read the capsule as each role in the practice reads it.
    choices = library_selectors.role_choices()
    role = request.GET.get("role", "")
    if role not in dict(choices):
        role = library_selectors.DEFAULT_ROLE
    # A fixed seed: staff see one stable order, nobody's in particular.
    reader = library_selectors.capsule_for_reader(capsule, role=role, token="preview")  # noqa: S106
    return render(
        request,
        "console/capsule_preview.html",
        {
            "capsule": capsule,
            "role": role,
            "roles": choices,
            "body_html": reader.body_html,
            "shown_quiz": [capsule.quiz[index] for index in reader.asked],
        },
    )


def _attach(form: CapsuleForm, errors: dict[str, list[str]]) -> None:
    """Show each schema problem next to its field (or above the form)."""
    for field, problems in errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _capsule_editor(request: HttpRequest, base: Capsule | None) -> HttpResponse:
    organisation = request_organisation(request)
    preview: Capsule | None = base
    preview_problems: dict[str, list[str]] = {}
    if request.method == "POST":
        form = CapsuleForm(request.POST)
        valid = form.is_valid()
        if valid and "save" in request.POST:
            try:
                saved = capsule_services.capsule_save(
                    organisation=organisation,
                    actor=request_user(request),
                    data=form.cleaned_data,
                    base=base,
                    request=request,
                )
            except ValidationError as exc:
                _attach(form, exc.message_dict)
            else:
                messages.success(request, _("Saved as version %(v)s.") % {"v": saved.version})
                return redirect("console:capsule_preview", capsule_id=saved.pk)
        if valid:
            preview = capsule_services.draft(
                organisation=organisation, data=form.cleaned_data, base=base
            )
            preview_problems = capsule_services.problems(preview)
            if "preview" in request.POST:
                _attach(form, preview_problems)
    else:
        form = CapsuleForm(initial=CapsuleForm.initial_from(base) if base else None)
    return render(
        request,
        "console/capsule_edit.html",
        {"form": form, "base": base, "preview": preview, "preview_problems": preview_problems},
    )


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_CONTENT)
def capsule_new(request: HttpRequest) -> HttpResponse:
    return _capsule_editor(request, None)


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_CONTENT)
def capsule_edit(request: HttpRequest, capsule_id: int) -> HttpResponse:
    # Only the latest version is edited; older ones stay as campaigns sent them.
    base = get_object_or_404(available_capsules(request_organisation(request)), pk=capsule_id)
    return _capsule_editor(request, base)


@require_POST
@console_view(Permission.MANAGE_CONTENT)
def capsule_live_preview(request: HttpRequest) -> HttpResponse:
    """The preview fragment the editor's script asks for while the author types."""
    organisation = request_organisation(request)
    base_id = request.GET.get("base", "")
    base = (
        get_object_or_404(available_capsules(organisation), pk=int(base_id))
        if base_id.isdigit()
        else None
    )
    form = CapsuleForm(request.POST)
    preview = None
    preview_problems: dict[str, list[str]] = {}
    if form.is_valid():
        preview = capsule_services.draft(
            organisation=organisation, data=form.cleaned_data, base=base
        )
        preview_problems = capsule_services.problems(preview)
    else:
        preview_problems = {
            field: [str(e) for e in errors] for field, errors in form.errors.items()
        }
    return render(
        request,
        "console/includes/capsule_live.html",
        {"preview": preview, "preview_problems": preview_problems},
    )
