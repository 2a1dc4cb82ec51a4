"""Console pages of simulations: campaigns, their results and hits, scenarios, scanners."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
    request_user,
)
from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.roles import Permission
from hygie.audience.selectors import attribute_label
from hygie.delivery import attachments
from hygie.delivery import selectors as delivery_selectors
from hygie.delivery import services as delivery_services
from hygie.delivery.models import DeliveryStatus, MailingStatus
from hygie.lib.editing import attach_problems
from hygie.lib.pdf import pdf_response
from hygie.operations import snapshots
from hygie.phishing import editing, preview, selectors, services, teaching
from hygie.phishing.content.scenarios import attachment_of
from hygie.phishing.forms import (
    AnnouncementForm,
    ReviewForm,
    ScannerNetworkForm,
    ScenarioForm,
    SimulationForm,
)
from hygie.phishing.models import (
    ScannerNetwork,
    Scenario,
    SimulationAnnouncement,
    SimulationCampaign,
)
from hygie.phishing.reasons import reason_labels

MANAGE = Permission.MANAGE_CAMPAIGNS
# Previews of authored HTML: inline styles render, nothing can run or load.
FRAME_POLICY = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "frame-ancestors": [CSP.SELF],
    "sandbox": True,
}


def _can(request: HttpRequest, permission: Permission) -> bool:
    return bool(request.membership.can(permission))  # type: ignore[attr-defined]


def _campaign(request: HttpRequest, campaign_id: int) -> SimulationCampaign:
    return get_for_organisation(
        SimulationCampaign.objects.select_related("mailing", "organisation"),
        request,
        pk=campaign_id,
    )


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
    organisation = request_organisation(request)
    form = SimulationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                organisation=organisation,
                actor=Actor.from_request(request),
                name=data["name"],
                scenarios=list(data["scenarios"]),
                segment=data["segment"],
                after_click=data["after_click"],
                assignment=data["assignment"],
                sender_domain=data["sender_domain"],
                landing_host=data["landing_host"],
                follow_up=data["follow_up"],
                report_link=data["report_link"],
                send_start=data["send_start"],
                send_end=data["send_end"],
                hours=data["hours"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("phishing:results", campaign_id=campaign.pk)
    return render(request, "phishing/simulation_new.html", {"form": form})


ACTIONS = {"launch", "pause", "resume", "end", "test", "explain"}


def _act(request: HttpRequest, campaign: SimulationCampaign) -> None:
    actor = Actor.from_request(request)
    action = request.POST.get("action", "launch")
    if action not in ACTIONS:
        raise ValidationError(_("Unknown action."))
    if action == "launch":
        count = services.campaign_launch(campaign=campaign, actor=actor)
        messages.success(request, _("Launched: %(n)d messages scheduled.") % {"n": count})
    elif action == "pause":
        delivery_services.mailing_pause(mailing=campaign.mailing, actor=actor)
        messages.success(request, _("Sending paused."))
    elif action == "resume":
        delivery_services.mailing_resume(mailing=campaign.mailing, actor=actor)
        messages.success(request, _("Sending resumed."))
    elif action == "end":
        services.campaign_end(campaign=campaign, actor=actor)
        messages.success(request, _("Simulation ended; links stop counting in 48 hours."))
    elif action == "explain":
        count = services.campaign_send_explanations(campaign=campaign, actor=actor)
        messages.success(request, _("%(n)d explanations scheduled.") % {"n": count})
    else:
        delivery = services.campaign_send_test(
            campaign=campaign,
            actor=actor,
            variant_id=request.POST.get("variant", ""),
            phone=request.POST.get("phone", ""),
        )
        if delivery.status == DeliveryStatus.SENT:
            messages.success(request, _("Test sent to %(email)s.") % {"email": delivery.recipient})
        else:
            messages.error(
                request,
                _("The test could not be sent: %(reason)s") % {"reason": delivery.last_error},
            )


@require_http_methods(["GET", "POST"])
@console_view(Permission.VIEW_RESULTS)
def simulation_results(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    group = request.GET.get("by", "profession")
    if group not in selectors.GROUPS:
        group = "profession"
    if request.method == "POST":
        if not _can(request, MANAGE):
            return HttpResponse(status=403)
        if request.POST.get("action") == "launch" and request.POST.get("confirmed") != "yes":
            return redirect("phishing:launch_confirm", campaign_id=campaign.pk)
        try:
            _act(request, campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("phishing:results", campaign_id=campaign.pk)
    figures = snapshots.figures("simulation_results", *selectors.results_arguments(campaign))
    return render(
        request,
        "phishing/results.html",
        {
            "campaign": campaign,
            "figures": figures,
            "funnel": figures.value.funnel,
            "to_click": figures.value.to_click,
            "to_report": figures.value.to_report,
            "missed": figures.value.missed,
            "group": group,
            "groups": selectors.GROUPS.items(),
            "breakdown": figures.value.breakdowns[group],
            "breakdown_rows": [
                (attribute_label(group, row.name), row)
                for row in figures.value.breakdowns[group].rows
            ],
            "can_manage": _can(request, MANAGE),
            "can_see_people": _can(request, Permission.VIEW_INDIVIDUAL_RESULTS),
        },
    )


@require_http_methods(["GET"])
@console_view(MANAGE)
def launch_confirm(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Before a launch: who will receive the simulation, who is left out, and when the
    first and last messages will leave in its window."""
    campaign = _campaign(request, campaign_id)
    if campaign.mailing.status != MailingStatus.DRAFT:
        return redirect("phishing:results", campaign_id=campaign.pk)
    now = timezone.now()
    return render(
        request,
        "phishing/launch_confirm.html",
        {
            "campaign": campaign,
            "forecast": delivery_selectors.launch_forecast(campaign.mailing, now=now),
            "lacking": delivery_selectors.lacking_labelled(campaign.mailing),
            "announced": selectors.announcement_recorded(campaign.organisation),
            "now": now,
        },
    )


@require_http_methods(["GET"])
@console_view(MANAGE)
def campaign_preview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    organisation = request_organisation(request)
    variants = list(campaign.mailing.variants.all())
    # One variant's HTML (?frame=<id>) or its attachment's PDF (?attachment=<id>).
    frame, attachment = request.GET.get("frame"), request.GET.get("attachment")
    if frame or attachment:
        variant = next((v for v in variants if str(v.pk) == (frame or attachment)), None)
        if variant is None or (attachment and not variant.attachment_html):
            raise Http404
        if attachment:
            content = preview.variant_attachment_pdf(variant, organisation)
            return _attachment_response(content, variant.attachment_name)
        return _frame(preview.render_variant(variant, organisation).html)
    rows = [(v, preview.render_variant(v, organisation)) for v in variants]
    return render(
        request,
        "phishing/campaign_preview.html",
        {
            "campaign": campaign,
            "rows": rows,
            "draft": campaign.mailing.status == MailingStatus.DRAFT,
        },
    )


def _frame(html: str) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response._csp_config = FRAME_POLICY  # type: ignore[attr-defined]  # as csp_override does
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_http_methods(["GET", "POST"])
@console_view(Permission.VIEW_RESULTS)
def campaign_hits(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Every hit with the detector's verdict and reasons; staff may re-classify one."""
    campaign = _campaign(request, campaign_id)
    if request.method == "POST":
        if not _can(request, MANAGE):
            return HttpResponse(status=403)
        form = ReviewForm(request.POST)
        if form.is_valid():
            event = get_object_or_404(selectors.hits(campaign), pk=form.cleaned_data["event"])
            try:
                count = services.hits_reclassify(
                    event=event,
                    verdict=form.cleaned_data["verdict"],
                    scope=form.cleaned_data["scope"] or services.ReviewScope.HIT,
                    actor=Actor.from_request(request),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s hit re-classified; the results are up to date.",
                        "%(n)s hits re-classified; the results are up to date.",
                        count,
                    )
                    % {"n": count},
                )
        else:
            messages.error(request, _("Choose a verdict for the hit."))
        return redirect(request.get_full_path())
    verdict = request.GET.get("verdict", "")
    page = Paginator(selectors.hits(campaign, verdict), 50).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.reason_labels = reason_labels(event.reasons)  # type: ignore[attr-defined]
    return render(
        request,
        "phishing/hits.html",
        {
            "campaign": campaign,
            "page": page,
            "verdict": verdict,
            "can_manage": _can(request, MANAGE),
            "verdicts": ReviewForm.base_fields["verdict"].choices,  # type: ignore[attr-defined]
            "scopes": ReviewForm.base_fields["scope"].choices,  # type: ignore[attr-defined]
        },
    )


@require_http_methods(["GET"])
@console_view(Permission.VIEW_INDIVIDUAL_RESULTS)
def campaign_people(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Named people by outcome: a separate right, and each viewing is audited."""
    campaign = _campaign(request, campaign_id)
    outcome = request.GET.get("outcome", "clicked")
    if outcome not in selectors.OUTCOMES:
        raise Http404
    page = Paginator(selectors.people(campaign, outcome), 50).get_page(request.GET.get("page"))
    audit_record(
        action="simulation.individual_results_viewed",
        actor=Actor.from_request(request),
        organisation=campaign.organisation,
        target=campaign,
        details={"outcome": outcome, "page": page.number, "people": len(page.object_list)},
    )
    return render(
        request,
        "phishing/people.html",
        {
            "campaign": campaign,
            "page": page,
            "outcome": outcome,
            "outcomes": [
                ("clicked", _("Clicked")),
                ("submitted", _("Submitted the form")),
                ("reported", _("Reported")),
            ],
        },
    )


# --- Scenarios -----------------------------------------------------------------


@require_http_methods(["GET"])
@console_view(MANAGE)
def scenario_list(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    return render(
        request,
        "phishing/scenarios.html",
        {"scenarios": selectors.available_scenarios(organisation)},
    )


def _scenario(request: HttpRequest, scenario_id: int) -> Scenario:
    return get_object_or_404(
        selectors.visible_scenarios(request_organisation(request)), pk=scenario_id
    )


@require_http_methods(["GET"])
@console_view(MANAGE)
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id)
    organisation = request_organisation(request)
    rendered = preview.render_scenario(scenario, organisation)
    values = preview.sample_values(organisation)
    versions = selectors.visible_scenarios(organisation).filter(
        slug=scenario.slug, language=scenario.language
    )
    return render(
        request,
        "phishing/scenario.html",
        {
            "scenario": scenario,
            "rendered": rendered,
            "versions": versions.order_by("-version", "organisation_id"),
            **teaching.annotated_message(scenario, values),
            "can_publish": _can(request, Permission.MANAGE_CONTENT),
        },
    )


@require_http_methods(["POST"])
@console_view(Permission.MANAGE_CONTENT)
def scenario_publish(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """A reviewed draft becomes available to simulations."""
    scenario = _scenario(request, scenario_id)
    try:
        services.scenario_publish(
            scenario=scenario,
            organisation=request_organisation(request),
            actor=Actor.from_request(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Scenario published: simulations may now use it."))
    return redirect("phishing:scenario", scenario_id=scenario.pk)


@require_http_methods(["GET"])
@console_view(MANAGE)
def scenario_frame(request: HttpRequest, scenario_id: int, part: str) -> HttpResponse:
    scenario = _scenario(request, scenario_id)
    if part == "email":
        return _frame(preview.render_scenario(scenario, request_organisation(request)).html)
    if part == "landing":
        return _frame(preview.landing_html(scenario))
    if part == "attachment" and scenario.data.get("attachment"):
        return _frame(preview.attachment_html(scenario, request_organisation(request)))
    raise Http404


@require_http_methods(["GET"])
@console_view(MANAGE)
def scenario_attachment_pdf(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """The attachment's PDF as a person receives it, with sample values."""
    scenario = _scenario(request, scenario_id)
    if not scenario.data.get("attachment"):
        raise Http404
    content = preview.attachment_pdf(scenario, request_organisation(request))
    return _attachment_response(content, attachment_of(scenario.data)[0])


def _attachment_response(content: bytes, name: str) -> HttpResponse:
    """A PDF, or a calendar invitation (.ics), as a download."""
    response = pdf_response(content, name)
    response["Content-Type"] = attachments.content_type(name)
    return response


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_CONTENT)
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id)
    form = ScenarioForm(
        request.POST or None,
        initial=editing.scenario_form_initial(scenario=scenario),
        channel=scenario.channel,
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.scenario_edit(
                scenario=scenario,
                organisation=request_organisation(request),
                data=form.cleaned_data,
                actor=Actor.from_request(request),
            )
        except ValidationError as exc:
            attach_problems(form, exc.message_dict)
        else:
            messages.success(
                request,
                _("Version %(v)d saved. Existing campaigns keep theirs.") % {"v": new.version},
            )
            return redirect("phishing:scenario", scenario_id=new.pk)
    return render(request, "phishing/scenario_edit.html", {"scenario": scenario, "form": form})


# --- Scanner networks ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def scanner_networks(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = ScannerNetworkForm(request.POST if "cidr" in request.POST else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        if "delete" in request.POST:
            network = get_object_or_404(
                ScannerNetwork.objects.filter(organisation=organisation),
                pk=request.POST.get("delete"),
            )
            services.scanner_network_remove(network=network, actor=actor)
            messages.success(request, _("Range removed."))
            return redirect("phishing:scanners")
        if form.is_valid():
            try:
                services.scanner_network_add(
                    organisation=organisation,
                    actor=actor,
                    cidr=form.cleaned_data["cidr"],
                    label=form.cleaned_data["label"],
                )
            except ValidationError as exc:
                form.add_error("cidr", exc)
            else:
                messages.success(request, _("Range added: hits from it now count as robots."))
                return redirect("phishing:scanners")
    return render(
        request,
        "phishing/scanners.html",
        {
            "networks": ScannerNetwork.objects.filter(organisation=organisation),
            "form": form,
            "shipped": selectors.shipped_scanners(),
        },
    )
