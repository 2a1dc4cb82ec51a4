"""Console pages of the API: tokens, webhooks and the API's reference."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.roles import Permission
from hygie.api import selectors, services
from hygie.api.forms import EVENT_LABELS, EndpointForm, TokenForm
from hygie.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from hygie.api.reference import operations


@console_view(Permission.MANAGE_ORGANISATION)
def tokens(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time(23, 59, 59)))
            if expires_on
            else None
        )
        try:
            issued = services.api_token_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
                actor=Actor.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "issued": issued, "tokens": selectors.tokens(organisation)},
    )


@require_POST
@console_view(Permission.MANAGE_ORGANISATION)
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_for_organisation(ApiToken.objects.all(), request, pk=token_id)
    services.api_token_revoke(token=token, actor=Actor.from_request(request))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")


@console_view(Permission.MANAGE_ORGANISATION)
def webhooks(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_create(
                organisation=organisation,
                url=form.cleaned_data["url"],
                events_chosen=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=Actor.from_request(request),
            )
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, _("The endpoint is added."))
            return redirect("api:webhooks")
    return render(
        request,
        "api/webhooks.html",
        {
            "form": form,
            "endpoints": selectors.endpoints(organisation),
            "deliveries": selectors.recent_deliveries(organisation),
            "event_labels": EVENT_LABELS,
        },
    )


@require_POST
@console_view(Permission.MANAGE_ORGANISATION)
def webhook_action(request: HttpRequest, endpoint_id: int, action: str) -> HttpResponse:
    if action not in {"delete", "enable", "rotate"}:
        raise Http404
    endpoint = get_for_organisation(WebhookEndpoint.objects.all(), request, pk=endpoint_id)
    actor = Actor.from_request(request)
    if action == "delete":
        services.webhook_endpoint_delete(endpoint=endpoint, actor=actor)
        messages.success(request, _("The endpoint is removed."))
    elif action == "enable":
        services.webhook_endpoint_enable(endpoint=endpoint, actor=actor)
        messages.success(request, _("The endpoint is active again."))
    elif action == "rotate":
        services.webhook_secret_rotate(endpoint=endpoint, actor=actor)
        messages.success(
            request,
            _("A new secret signs from now on; the previous one also signs for 24 hours."),
        )
    return redirect("api:webhooks")


@require_POST
@console_view(Permission.MANAGE_ORGANISATION)
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint__organisation"),
        pk=delivery_id,
        endpoint__organisation=request_organisation(request),
    )
    services.webhook_delivery_replay(delivery=delivery, actor=Actor.from_request(request))
    messages.success(request, _("The event will be sent again."))
    return redirect("api:webhooks")


@console_view(Permission.MANAGE_ORGANISATION)
def reference(request: HttpRequest) -> HttpResponse:
    return render(request, "api/reference.html", {"operations": operations()})
