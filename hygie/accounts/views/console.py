"""Sign-in, second factor, password reset and invitation acceptance."""

from __future__ import annotations

from typing import Any, cast

import segno
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
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from hygie.accounts import throttling, two_factor
from hygie.accounts.audit import audit_record, client_ip
from hygie.accounts.forms import CodeForm, LoginForm, SignUpForm
from hygie.accounts.models import User
from hygie.accounts.services import invitation_accept, invitation_for_token, staff_user_create
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
                action="staff.two_factor_verified", actor=user, organisation=None, request=request
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
                action="staff.two_factor_enabled", actor=user, organisation=None, request=request
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
        action="staff.backup_codes_regenerated", actor=user, organisation=None, request=request
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
            invitation_accept(invitation=invitation, user=user, request=request)
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
            invitation_accept(invitation=invitation, user=new_user, request=request)
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
