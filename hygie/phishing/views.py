"""Tracked links (served on the tracking host only) and the console pages."""

from __future__ import annotations

import io
from datetime import date

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
    request_user,
)
from hygie.accounts.models import Organisation
from hygie.accounts.roles import Permission
from hygie.audience.models import Segment
from hygie.delivery.engine import recipient_values
from hygie.delivery.models import Delivery, MailingKind
from hygie.phishing import selectors, services
from hygie.phishing.models import (
    AnnouncementChannel,
    HitKind,
    Scenario,
    SimulationAnnouncement,
    SimulationCampaign,
)

# Landing pages imitate a portal with inline styles; nothing may run or load.
LANDING_POLICY: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}


def _delivery(prefix: str, token: str) -> Delivery | None:
    return (
        Delivery.objects.select_related("mailing__organisation", "variant", "person__practice")
        .filter(
            token=token,
            mailing__kind=MailingKind.SIMULATION,
            mailing__simulation__path_prefix=prefix,
        )
        .filter(
            Q(mailing__simulation__ended_at__isnull=True)
            | Q(mailing__simulation__ended_at__gt=timezone.now() - services.TRACKING_GRACE)
        )
        .first()
    )


def _neutral(request: HttpRequest) -> HttpResponse:
    """What an unknown or ended link gets: an ordinary page, recording nothing."""
    return render(request, "phishing/expired.html")


def _teach(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    scenario = services.scenario_of(delivery)
    annotated = services.annotated_message(scenario, recipient_values(delivery))
    return render(
        request,
        "phishing/teach.html",
        {
            "organisation": delivery.mailing.organisation,
            "scenario": scenario,
            **annotated,
        },
    )


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def tracked_link(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    delivery = _delivery(prefix, token)
    if delivery is None:
        return _neutral(request)
    scenario = services.scenario_of(delivery)
    if request.method == "POST":
        # Only the names of the fields that were filled are kept; the values are
        # dropped here, before anything is stored or logged.
        filled = [name for name, value in request.POST.items() if str(value).strip()]
        services.record_hit(
            delivery=delivery, kind=HitKind.SUBMIT, request=request, submitted_fields=filled
        )
        return _teach(request, delivery)
    services.record_hit(delivery=delivery, kind=HitKind.CLICK, request=request)
    if request.method == "HEAD":
        return HttpResponse()
    landing = scenario.data.get("landing", {})
    if scenario.technique == "credential_form" and landing.get("has_form"):
        return render(request, "phishing/landing.html", {"landing": landing})
    return _teach(request, delivery)


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["POST"])
def not_me(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """ "Ce n'était pas moi": the person says the recorded visit was not theirs."""
    delivery = _delivery(prefix, token)
    if delivery is not None:
        services.disown_hits(delivery=delivery)
    return render(request, "phishing/not_me.html")


@require_http_methods(["GET", "HEAD"])
def qr_image(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The QR code printed in a QR scenario's email: the person's tracked link, as a PNG."""
    delivery = _delivery(prefix, token)
    # Unknown tokens get a code too (to a neutral page): no oracle, nothing recorded.
    target = f"{settings.TRACKING_BASE_URL}/{prefix}/{token}/"
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="png", scale=6, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600" if delivery else "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def hidden_link(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    delivery = _delivery(prefix, token)
    if delivery is not None:
        services.record_hit(
            delivery=delivery, kind=HitKind.CLICK, request=request, hidden_link=True
        )
    return _neutral(request)


# --- Console -------------------------------------------------------------------

MANAGE = Permission.MANAGE_CAMPAIGNS


class SimulationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    scenarios = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Scenarios (assigned at random)"),
        queryset=Scenario.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"), queryset=Segment.objects.none())

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]


class AnnouncementForm(forms.Form):
    announced_on = forms.DateField(
        label=gettext_lazy("Announced on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=AnnouncementChannel.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def clean_announced_on(self) -> date:
        value: date = self.cleaned_data["announced_on"]
        if value > date.today():  # noqa: DTZ011 - a calendar date typed by staff
            raise forms.ValidationError(_("The announcement cannot be in the future."))
        return value


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def simulation_list(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        SimulationAnnouncement.objects.create(
            organisation=organisation, recorded_by=request_user(request), **form.cleaned_data
        )
        messages.success(request, _("Announcement recorded."))
        return redirect("phishing:simulations")
    return render(
        request,
        "phishing/simulations.html",
        {
            "campaigns": selectors.campaigns(organisation),
            "announcements": SimulationAnnouncement.objects.filter(organisation=organisation),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def simulation_new(request: HttpRequest) -> HttpResponse:
    form = SimulationForm(request.POST or None, organisation=request_organisation(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                organisation=request_organisation(request),
                actor=request_user(request),
                name=form.cleaned_data["name"],
                scenarios=list(form.cleaned_data["scenarios"]),
                segment=form.cleaned_data["segment"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("phishing:results", campaign_id=campaign.pk)
    return render(request, "phishing/simulation_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@console_view(Permission.VIEW_RESULTS)
def simulation_results(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_organisation(
        SimulationCampaign.objects.select_related("mailing", "organisation"),
        request,
        pk=campaign_id,
    )
    if request.method == "POST":
        membership = request.membership  # type: ignore[attr-defined]
        if not membership.can(MANAGE):
            return HttpResponse(status=403)
        actor = request_user(request)
        if request.POST.get("action") == "end":
            services.campaign_end(campaign=campaign, actor=actor, request=request)
            messages.success(request, _("Simulation ended; links stop counting in 48 hours."))
            return redirect("phishing:results", campaign_id=campaign.pk)
        try:
            count = services.campaign_launch(campaign=campaign, actor=actor, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Launched: %(n)d messages scheduled.") % {"n": count})
        return redirect("phishing:results", campaign_id=campaign.pk)
    return render(
        request,
        "phishing/results.html",
        {
            "campaign": campaign,
            "funnel": selectors.funnel(campaign),
        },
    )
