"""Public pages reached from messages: one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hygie.audience.services import person_unsubscribe
from hygie.delivery.unsubscribe_tokens import delivery_to_unsubscribe


@csrf_exempt  # mail clients POST "List-Unsubscribe=One-Click" without any cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_to_unsubscribe(token)
    if delivery is None or delivery.person is None:
        # Same page for an unknown token: nothing to learn by guessing.
        return render(request, "delivery/unsubscribe.html", {"unknown": True}, status=404)
    organisation = delivery.organisation
    if request.method == "POST":
        source = "one-click" if request.POST.get("List-Unsubscribe") == "One-Click" else "page"
        person_unsubscribe(person=delivery.person, source=source)
        return render(
            request, "delivery/unsubscribe.html", {"done": True, "organisation": organisation}
        )
    return render(request, "delivery/unsubscribe.html", {"organisation": organisation})
