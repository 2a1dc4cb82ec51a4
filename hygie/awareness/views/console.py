"""The awareness console: campaigns, their results and the yearly programme."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.roles import Permission
from hygie.awareness import breakdown, programme, selectors, services
from hygie.awareness import figures as awareness_figures
from hygie.awareness.forms import CampaignForm, ProgrammeForm
from hygie.awareness.models import AwarenessCampaign, ProgrammeStep, StepStatus
from hygie.library.selectors import available_capsules
from hygie.operations import snapshots

MANAGE = Permission.MANAGE_CAMPAIGNS


@require_GET
@console_view(MANAGE)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "awareness/campaigns.html",
        {"campaigns": selectors.campaigns(request_organisation(request))},
    )


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, organisation=request_organisation(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                organisation=request_organisation(request),
                actor=Actor.from_request(request),
                name=form.cleaned_data["name"],
                capsule=form.cleaned_data["capsule"],
                segment=form.cleaned_data["segment"],
                reminder_days=form.cleaned_data["reminder_days"],
                hours=form.hours,
            )
        except ValidationError as exc:
            form.add_error("reminder_days", exc)
        else:
            messages.success(request, _("Campaign created. Send yourself a test, then launch it."))
            return redirect("delivery:mailing", mailing_id=campaign.mailing_id)
    return render(request, "awareness/campaign_new.html", {"form": form})


@require_GET
@console_view(Permission.VIEW_RESULTS)
def campaign_results(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_organisation(
        AwarenessCampaign.objects.select_related("capsule", "mailing", "organisation"),
        request,
        pk=campaign_id,
    )
    dimension = request.GET.get("by", "profession")
    figures = snapshots.figures(
        "awareness_results", *awareness_figures.results_arguments(campaign, dimension)
    )
    return render(
        request,
        "awareness/results.html",
        {
            "campaign": campaign,
            "figures": figures,
            "results": figures.value.results,
            "breakdown": figures.value.breakdown,
            "dimensions": breakdown.DIMENSIONS,
        },
    )


# --- Console: the programme -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def programme_page(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    current = programme.programme_of(organisation)
    form = ProgrammeForm(request.POST or None, instance=current, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            programme.programme_update(
                programme=programme.programme_of(organisation),
                actor=Actor.from_request(request),
                fields=fields,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("awareness:programme")
    current.refresh_from_db()
    return render(
        request,
        "awareness/programme.html",
        {
            "form": form,
            "programme": current,
            "plan": programme.plan(current, today=timezone.localdate()),
            "capsules": available_capsules(organisation),
            "drafts": current.steps.filter(status=StepStatus.DRAFT).select_related(
                "campaign__capsule", "campaign__mailing"
            ),
        },
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@require_POST
@console_view(MANAGE)
def step_action(request: HttpRequest, step_id: int) -> HttpResponse:
    organisation = request_organisation(request)
    step = get_object_or_404(
        ProgrammeStep.objects.filter(programme__organisation=organisation), pk=step_id
    )
    action = request.POST.get("action")
    try:
        if action == "validate":
            count = programme.step_validate(step=step, actor=Actor.from_request(request))
            messages.success(
                request,
                _("Validated: %(count)s messages will leave on the planned date.")
                % {"count": count},
            )
        elif action == "capsule":
            capsule = get_object_or_404(
                available_capsules(organisation), pk=_int(request.POST.get("capsule"))
            )
            programme.step_change_capsule(
                step=step, capsule=capsule, actor=Actor.from_request(request)
            )
            messages.success(request, _("Capsule changed."))
        elif action == "skip":
            programme.step_skip(step=step, actor=Actor.from_request(request))
            messages.success(request, _("This capsule was skipped."))
        else:
            return HttpResponse(status=400)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("awareness:programme")
