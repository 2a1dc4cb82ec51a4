"""Sign-in, second factor, password reset and invitation acceptance; the organisation's
settings, its team (members, roles, invitations) and a staff member's security page."""

from __future__ import annotations

from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from hygie.accounts import selectors, throttling, two_factor
from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    memberships_of,
    request_organisation,
    request_user,
)
from hygie.accounts.actors import Actor, client_ip
from hygie.accounts.audit import audit_record
from hygie.accounts.forms import (
    CodeForm,
    InvitationForm,
    LoginForm,
    OrganisationSettingsForm,
    RoleForm,
    SignUpForm,
)
from hygie.accounts.models import Invitation, Membership, User
from hygie.accounts.roles import Permission
from hygie.accounts.selectors import invitation_for_token
from hygie.accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    organisation_update,
    staff_user_create,
)
from hygie.accounts.tasks import send_password_reset


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy("console:dashboard"))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    user = cast(User, user)  # authenticated above
    if not two_factor.has_confirmed_device(user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit_record(
                action="staff.two_factor_verified",
                actor=Actor.from_request(request),
                organisation=None,
            )
            return redirect(_safe_next(request))
        form.add_error("code", _("This code is not valid. Check your app's clock and try again."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    user = cast(User, user)  # authenticated above
    if two_factor.has_confirmed_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Adding a device requires proving possession of the current one.
        return redirect("accounts:two_factor_verify")
    device = two_factor.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = two_factor.replace_backup_codes(user)
            audit_record(
                action="staff.two_factor_enabled",
                actor=Actor.from_request(request),
                organisation=None,
            )
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("code", _("This code is not valid. Check your app's clock and try again."))
    uri = two_factor.totp_provisioning_uri(device)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#111827", light="#ffffff")
    secret = uri.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
    )


@login_required
@require_http_methods(["POST"])
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = request.user
    user = cast(User, user)  # authenticated above
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_verify")
    codes = two_factor.replace_backup_codes(user)
    audit_record(
        action="staff.backup_codes_regenerated",
        actor=Actor.from_request(request),
        organisation=None,
    )
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(
                request,
                "accounts/invitation_wrong_account.html",
                {"invitation": invitation},
                status=403,
            )
        if request.method == "POST":
            invitation_accept(
                invitation=invitation,
                user=user,
                actor=Actor.staff(user, invitation.organisation, ip=client_ip(request)),
            )
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organisation})
            request.session["organisation_id"] = invitation.organisation_id
            return redirect("console:dashboard")
        return render(request, "accounts/invitation_confirm.html", {"invitation": invitation})
    if existing is not None:
        # The invitee already has an account: sign in first, then come back here.
        return redirect(f"{reverse_lazy('accounts:login')}?next={request.path}")
    form = SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = staff_user_create(
                email=invitation.email,
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            invitation_accept(
                invitation=invitation,
                user=new_user,
                actor=Actor.staff(new_user, invitation.organisation, ip=client_ip(request)),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            auth_login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["organisation_id"] = invitation.organisation_id
            return redirect("console:dashboard")
    return render(
        request, "accounts/invitation_signup.html", {"invitation": invitation, "form": form}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the reset link in the background, throttled per address and per client.

    The answer is the same for a known and an unknown address (the lookup and the
    message happen in a worker), and it never depends on the request's Host header.
    """

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        address = str(form.cleaned_data["email"]).strip().lower()
        client = client_ip(self.request) or ""
        if not throttling.allow_reset_request(address=address, client=client):
            form.add_error(
                None, _("Too many requests. Please wait an hour before asking for a new link.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        send_password_reset.enqueue(address, translation.get_language() or "fr")
        return redirect(self.success_url)


# --- The organisation and its team -------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_ORGANISATION)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation_update(
            organisation=organisation,
            actor=Actor.from_request(request),
            changes={field: form.cleaned_data[field] for field in form.changed_data},
        )
        messages.success(request, _("Settings saved."))
        return redirect("console:settings")
    return render(request, "accounts/settings.html", {"form": form})


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
                actor=Actor.from_request(request),
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
        "accounts/members.html",
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
                actor=Actor.from_request(request),
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
        membership_remove(membership=membership, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user})
    return redirect("console:members")


@require_POST
@console_view(Permission.MANAGE_MEMBERS)
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_organisation(Invitation.objects.all(), request, pk=invitation_id)
    invitation_revoke(invitation=invitation, actor=Actor.from_request(request))
    messages.success(request, _("Invitation withdrawn."))
    return redirect("console:members")


@require_GET
@console_view(Permission.VIEW_DASHBOARD)
def account_security(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "has_device": two_factor.has_confirmed_device(user),
            "memberships": memberships_of(user),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )
