"""The capsule page a practitioner reaches from the email, and the console pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
    request_user,
)
from hygie.accounts.models import Organisation
from hygie.accounts.roles import Permission
from hygie.audience.models import Segment
from hygie.awareness import selectors, services
from hygie.awareness.models import AwarenessCampaign
from hygie.delivery.models import Delivery, MailingKind
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules

# --- Public: the capsule page -------------------------------------------------


def _delivery(token: str) -> Delivery:
    delivery = (
        Delivery.objects.select_related("mailing__organisation", "person")
        .filter(token=token, mailing__kind=MailingKind.AWARENESS)
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def _answers(request: HttpRequest, capsule: Capsule) -> list[int] | None:
    answers = []
    for index, question in enumerate(capsule.quiz):
        value = request.POST.get(f"q{index}", "")
        if not value.isdigit() or int(value) >= len(question["choices"]):
            return None
        answers.append(int(value))
    return answers


# No session or cookie is used: the token in the address is the only key, and the
# form carries no CSRF token to steal (it changes nothing but the reader's own quiz).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def capsule_page(request: HttpRequest, token: str) -> HttpResponse:
    delivery = _delivery(token)
    capsule = selectors.capsule_for(delivery)
    context = {
        "capsule": capsule,
        "organisation": delivery.mailing.organisation,
        "token": token,
        "letters": "ABCD",
    }
    if request.method == "POST":
        answers = _answers(request, capsule)
        if answers is None:
            context["error"] = _("Answer every question to see the explanations.")
            return render(request, "awareness/capsule.html", context, status=400)
        try:
            attempt = services.submit_quiz(
                delivery=delivery, capsule=capsule, answers=answers, request=request
            )
        except ValidationError:
            raise Http404 from None
        feedback = [
            {
                "question": question["question"],
                "chosen": question["choices"][chosen],
                "right": [c for c in question["choices"] if c.get("correct") is True],
            }
            for question, chosen in zip(capsule.quiz, answers, strict=True)
        ]
        context.update(attempt=attempt, feedback=feedback)
        return render(request, "awareness/quiz_result.html", context)
    services.record_view(delivery=delivery, request=request)
    return render(request, "awareness/capsule.html", context)


# --- Console -------------------------------------------------------------------

MANAGE = Permission.MANAGE_CAMPAIGNS


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    capsule = forms.ModelChoiceField(label=gettext_lazy("Capsule"), queryset=Capsule.objects.none())
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"), queryset=Segment.objects.none())

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["capsule"].queryset = available_capsules(organisation)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]


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
        campaign = services.campaign_create(
            organisation=request_organisation(request),
            actor=request_user(request),
            name=form.cleaned_data["name"],
            capsule=form.cleaned_data["capsule"],
            segment=form.cleaned_data["segment"],
            request=request,
        )
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
    return render(
        request,
        "awareness/results.html",
        {"campaign": campaign, "results": selectors.results(campaign)},
    )
