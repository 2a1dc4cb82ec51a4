from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hygie.accounts.access import console_view, request_organisation
from hygie.accounts.roles import Permission
from hygie.analytics import selectors


@require_GET
@console_view(Permission.VIEW_RESULTS)
def overview(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    return render(
        request,
        "analytics/overview.html",
        {
            "awareness": selectors.awareness_progress(organisation),
            "simulations": selectors.simulation_progress(organisation),
            "missed_questions": selectors.most_missed_questions(organisation),
            "missed_clues": selectors.most_missed_clues(organisation),
            "threshold": organisation.anonymity_threshold,
        },
    )
