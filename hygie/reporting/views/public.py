"""The public page where a person reports a suspicious SMS (no session needed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hygie.accounts.actors import client_ip
from hygie.accounts.models import Organisation
from hygie.incidents.antispam import RateLimit
from hygie.phishing.selectors import scenario_of
from hygie.reporting.forms import SmsReportForm

SMS_REPORTS_PER_CLIENT = RateLimit(name="sms_reports", limit=10, window=3600)


@require_http_methods(["GET", "POST"])
def sms_report(request: HttpRequest, organisation: str) -> HttpResponse:
    """A person pastes a suspicious SMS: a simulation is recognised from its link (never
    followed), anything else joins the organisation's triage queue."""
    from hygie.reporting.intake import ingest_text

    org = get_object_or_404(Organisation, slug=organisation, is_active=True)
    form = SmsReportForm(request.POST or None)
    context: dict[str, object] = {"organisation": org, "form": form}
    if request.method == "POST" and form.is_valid():
        client = client_ip(request) or "unknown"
        if SMS_REPORTS_PER_CLIENT.exceeded(client):
            form.add_error(None, _("Too many reports from this connection: try again later."))
            return render(request, "reporting/sms_report.html", context, status=429)
        SMS_REPORTS_PER_CLIENT.hit(client)
        report = ingest_text(
            organisation=org,
            text=form.cleaned_data["text"],
            reporter=form.cleaned_data["email"].lower(),
        )
        context["report"] = report
        if report.delivery is not None:
            scenario = scenario_of(report.delivery)
            context["red_flags"] = scenario.data.get("red_flags", [])
        return render(request, "reporting/sms_reported.html", context)
    return render(request, "reporting/sms_report.html", context)
