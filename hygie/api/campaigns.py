"""/api/v1/simulations, /api/v1/campaigns and /api/v1/figures: what the console's results
pages show, with the same suppression of small groups. Per person only with the audited
`results:named` scope, as the console shows named results only to the roles allowed to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from hygie.analytics import selectors as analytics
from hygie.api import selectors as api_selectors
from hygie.api import services as api_services
from hygie.api.auth import actor_of, organisation_of, require
from hygie.api.paging import Page, paged
from hygie.api.schemas import ErrorOut, ValidationErrorOut
from hygie.api.scopes import Scope, needs
from hygie.awareness.models import AwarenessCampaign
from hygie.delivery import selectors as delivery
from hygie.delivery import services as delivery_services
from hygie.delivery.models import MailingStatus
from hygie.phishing import selectors as phishing
from hygie.phishing import services as phishing_services
from hygie.phishing.models import SimulationCampaign, SimulationResult

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    name: str
    mailing_id: int
    status: str
    created_at: datetime
    launched_at: datetime | None
    completed_at: datetime | None


class SimulationOut(CampaignOut):
    assignment: str
    ended_at: datetime | None
    scenarios: list[str]


class AwarenessOut(CampaignOut):
    capsule: str


class SimulationPage(Schema):
    items: list[SimulationOut]
    next_cursor: str | None


class AwarenessPage(Schema):
    items: list[AwarenessOut]
    next_cursor: str | None


def _campaign_out(campaign: SimulationCampaign | AwarenessCampaign) -> dict[str, object]:
    mailing = campaign.mailing
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "mailing_id": mailing.pk,
        "status": mailing.status,
        "created_at": campaign.created_at,
        "launched_at": mailing.launched_at,
        "completed_at": mailing.completed_at,
    }


def _simulation_out(campaign: SimulationCampaign) -> dict[str, object]:
    return {
        **_campaign_out(campaign),
        "assignment": campaign.assignment,
        "ended_at": campaign.ended_at,
        "scenarios": sorted(s.slug for s in campaign.scenarios.all()),
    }


def _simulations(request: HttpRequest) -> QuerySet[SimulationCampaign]:
    require(request, Scope.READ_RESULTS)
    return phishing.campaigns(organisation_of(request)).prefetch_related("scenarios")


@router.get(
    "/simulations",
    response={200: SimulationPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="List phishing simulations",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def list_simulations(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_simulations(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_simulation_out(c) for c in found], "next_cursor": cursor}


@router.get(
    "/simulations/{campaign_id}",
    response={200: SimulationOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get a phishing simulation",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def get_simulation(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    return _simulation_out(get_object_or_404(_simulations(request), pk=campaign_id))


class RateOut(Schema):
    count: int
    total: int
    percent: float | None = Field(description="None when nobody was counted.")


class ScenarioRow(Schema):
    scenario: str
    sent: int
    clicked: int
    submitted: int


class GroupRowOut(Schema):
    name: str
    sent: int
    clicked: RateOut
    reported: RateOut


class BreakdownOut(Schema):
    rows: list[GroupRowOut]
    suppressed: int = Field(description="Groups below the anonymity threshold, not shown.")


class SimulationResultsOut(Schema):
    campaign_id: int
    anonymity_threshold: int
    sent: int
    clicked: RateOut
    submitted: RateOut
    reported: RateOut
    reported_without_clicking: RateOut
    confirmed_clicks: RateOut
    opened: RateOut | None = Field(description="Only where opens are tracked per person.")
    automated_hits: int
    by_scenario: list[ScenarioRow]
    suppressed_scenarios: int
    breakdowns: dict[str, BreakdownOut]


class _Counted(Protocol):
    @property
    def count(self) -> int: ...

    @property
    def total(self) -> int: ...

    @property
    def percent(self) -> float | None: ...


def _rate(rate: _Counted | None) -> dict[str, object] | None:
    if rate is None:
        return None
    return {"count": rate.count, "total": rate.total, "percent": rate.percent}


@router.get(
    "/simulations/{campaign_id}/results",
    response={200: SimulationResultsOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Aggregate results of a phishing simulation",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def simulation_results(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    campaign = get_object_or_404(
        _simulations(request).select_related("organisation"), pk=campaign_id
    )
    # The console's own figures: groups and scenarios below the threshold are left out.
    found = phishing.groups(campaign)
    funnel = phishing.funnel(campaign, found)
    rates = {rate.label: rate for rate in funnel.rates}
    return {
        "campaign_id": campaign.pk,
        "anonymity_threshold": campaign.organisation.anonymity_threshold,
        "sent": funnel.sent,
        "clicked": _rate(rates["clicked"]),
        "submitted": _rate(rates["submitted"]),
        "reported": _rate(rates["reported"]),
        "reported_without_clicking": _rate(funnel.reported_only),
        "confirmed_clicks": _rate(funnel.confirmed_clicks),
        "opened": _rate(funnel.opened),
        "automated_hits": funnel.automated_hits,
        "by_scenario": [
            {"scenario": title, "sent": sent, "clicked": clicked, "submitted": submitted}
            for title, sent, clicked, submitted in funnel.by_scenario
        ],
        "suppressed_scenarios": funnel.suppressed_scenarios,
        "breakdowns": {
            group: {
                "rows": [
                    {
                        "name": row.name,
                        "sent": row.sent,
                        "clicked": _rate(row.clicked),
                        "reported": _rate(row.reported),
                    }
                    for row in shown.rows
                ],
                "suppressed": shown.suppressed,
            }
            for group in phishing.GROUPS
            for shown in [phishing.breakdown(campaign, group, found)]
        },
    }


class Outcome(StrEnum):
    CLICKED = "clicked"
    SUBMITTED = "submitted"
    REPORTED = "reported"


class NamedQuery(Page):
    outcome: Outcome = Field(
        Outcome.CLICKED, description="Who clicked, who submitted the form, or who reported."
    )


class TimelineEventOut(Schema):
    at: datetime
    kind: str = Field(description="open, click, submit or report.")
    verdict: str = Field(description="human, automated or uncertain (a review's verdict first).")


class NamedResultOut(Schema):
    person_id: int | None = Field(description="None once retention unlinked the person.")
    name: str | None
    practice: str | None
    clicked_at: datetime | None
    submitted_at: datetime | None
    reported_at: datetime | None
    timeline: list[TimelineEventOut]


class NamedResultPage(Schema):
    campaign_id: int
    outcome: str
    items: list[NamedResultOut]
    next_cursor: str | None


def _named_out(result: SimulationResult) -> dict[str, object]:
    person = result.delivery.person
    return {
        "person_id": person.pk if person else None,
        "name": person.display_name if person else None,
        "practice": person.practice.name if person and person.practice else None,
        "clicked_at": result.clicked_at,
        "submitted_at": result.submitted_at,
        "reported_at": result.reported_at,
        # What was done and when, never what was typed (which is not stored).
        "timeline": [
            {"at": event.at, "kind": event.kind, "verdict": event.reviewed_verdict or event.verdict}
            for event in result.delivery.simulation_events.all()
        ],
    }


@router.get(
    "/simulations/{campaign_id}/results/people",
    response={200: NamedResultPage, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Named results of a phishing simulation (audited)",
    openapi_extra=needs(Scope.READ_NAMED_RESULTS),
)
def simulation_named_results(
    request: HttpRequest, campaign_id: Path[int], query: Query[NamedQuery]
) -> dict[str, object]:
    token = require(request, Scope.READ_NAMED_RESULTS)
    # The console's right, held by the person who gave the scope: a token keeps giving
    # names only while its creator may still see them.
    if not api_selectors.may_see_names(token.created_by, token.organisation):
        raise HttpError(
            403,
            _(
                "The person who created this token may no longer see named results: "
                "this token no longer gives them."
            ),
        )
    campaign = get_object_or_404(phishing.campaigns(organisation_of(request)), pk=campaign_id)
    outcome = Outcome(query.outcome).value
    found, cursor = paged(
        phishing.people(campaign, outcome), cursor=query.cursor, limit=query.limit
    )
    api_services.api_token_record_named_read(
        token=token,
        actor=actor_of(request),
        campaign=campaign,
        outcome=outcome,
        people=len(found),
        cursor=query.cursor,
    )
    return {
        "campaign_id": campaign.pk,
        "outcome": outcome,
        "items": [_named_out(result) for result in found],
        "next_cursor": cursor,
    }


class WindowOut(Schema):
    days: list[int] = Field(description="Days the window is open, 0 for Monday to 6.")
    start: str = Field(description="Opening time, HH:MM, in the window's time zone.")
    end: str = Field(description="Closing time, HH:MM.")
    time_zone: str


class LackingOut(Schema):
    value: str = Field(description="A value the message uses, named in the caller's language.")
    missing: int = Field(description="Recipients whose record lacks it.")


class LaunchForecastOut(Schema):
    """What the console's confirmation page shows before a launch."""

    campaign_id: int
    mailing_id: int
    status: str
    recipients: int = Field(description="Confirm the launch with this number.")
    excluded: int
    unsubscribed: int
    bounced: int
    no_address: int
    window: WindowOut
    waits_for_window: bool = Field(description="Launched now, nothing leaves before it opens.")
    window_opens: datetime | None
    first_send: datetime | None
    last_send: datetime | None
    lacking: list[LackingOut]


class LaunchIn(Schema):
    recipients: int = Field(
        ...,
        ge=0,
        le=10_000_000,
        description="The number of recipients the forecast gave: the console's confirmation. "
        "The launch is refused, and nothing sent, if the segment now gives another number.",
    )


class LaunchOut(Schema):
    campaign_id: int
    mailing_id: int
    deliveries: int
    first_send: datetime | None = Field(description="When the first message is planned.")
    last_send: datetime | None = Field(description="When the last message is planned.")


def _forecast_out(campaign: SimulationCampaign | AwarenessCampaign) -> dict[str, object]:
    mailing = campaign.mailing
    if mailing.status != MailingStatus.DRAFT:
        raise HttpError(409, _("This mailing was already launched."))
    forecast = delivery.launch_forecast(mailing, now=timezone.now())
    window = forecast.window
    return {
        "campaign_id": campaign.pk,
        "mailing_id": mailing.pk,
        "status": mailing.status,
        "recipients": forecast.recipients,
        "excluded": forecast.excluded,
        "unsubscribed": forecast.unsubscribed,
        "bounced": forecast.bounced,
        "no_address": forecast.no_address,
        "window": {
            "days": sorted(window.days),
            "start": window.start.strftime("%H:%M"),
            "end": window.end.strftime("%H:%M"),
            "time_zone": window.zone.key,
        },
        "waits_for_window": forecast.waits_for_window,
        "window_opens": forecast.window_opens,
        "first_send": forecast.first_send,
        "last_send": forecast.last_send,
        "lacking": [
            {"value": label, "missing": n} for label, n in delivery.lacking_labelled(mailing)
        ],
    }


def _launch(
    campaign: SimulationCampaign | AwarenessCampaign, launch: Callable[[], int], confirmed: int
) -> dict[str, object]:
    try:
        count = api_services.mailing_launch_confirmed(
            mailing=campaign.mailing, launch=launch, recipients=confirmed
        )
    except DjangoValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    first, last = api_selectors.planned_span(campaign.mailing)
    return {
        "campaign_id": campaign.pk,
        "mailing_id": campaign.mailing_id,
        "deliveries": count,
        "first_send": first,
        "last_send": last,
    }


def _simulation_to_launch(request: HttpRequest, campaign_id: int) -> SimulationCampaign:
    require(request, Scope.MANAGE_CAMPAIGNS)
    return get_object_or_404(
        phishing.campaigns(organisation_of(request)).select_related("mailing__organisation"),
        pk=campaign_id,
    )


@router.get(
    "/simulations/{campaign_id}/launch",
    response={200: LaunchForecastOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="What launching a phishing simulation now would do",
    openapi_extra=needs(Scope.MANAGE_CAMPAIGNS),
)
def simulation_launch_forecast(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    return _forecast_out(_simulation_to_launch(request, campaign_id))


@router.post(
    "/simulations/{campaign_id}/launch",
    response={200: LaunchOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    summary="Launch a phishing simulation",
    openapi_extra=needs(Scope.MANAGE_CAMPAIGNS),
)
def launch_simulation(
    request: HttpRequest, campaign_id: Path[int], payload: LaunchIn
) -> dict[str, object]:
    campaign = _simulation_to_launch(request, campaign_id)
    # The console's own launch: refused until members were told that simulations exist.
    return _launch(
        campaign,
        lambda: phishing_services.campaign_launch(campaign=campaign, actor=actor_of(request)),
        payload.recipients,
    )


def _awareness(request: HttpRequest) -> QuerySet[AwarenessCampaign]:
    require(request, Scope.READ_RESULTS)
    return AwarenessCampaign.objects.filter(organisation=organisation_of(request)).select_related(
        "mailing", "capsule"
    )


def _awareness_out(campaign: AwarenessCampaign) -> dict[str, object]:
    return {**_campaign_out(campaign), "capsule": campaign.capsule.slug}


@router.get(
    "/campaigns",
    response={200: AwarenessPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="List awareness campaigns",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def list_campaigns(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_awareness(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_awareness_out(c) for c in found], "next_cursor": cursor}


@router.get(
    "/campaigns/{campaign_id}",
    response={200: AwarenessOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get an awareness campaign",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def get_campaign(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    return _awareness_out(get_object_or_404(_awareness(request), pk=campaign_id))


def _awareness_to_launch(request: HttpRequest, campaign_id: int) -> AwarenessCampaign:
    require(request, Scope.MANAGE_CAMPAIGNS)
    return get_object_or_404(
        AwarenessCampaign.objects.filter(organisation=organisation_of(request)).select_related(
            "mailing__organisation"
        ),
        pk=campaign_id,
    )


@router.get(
    "/campaigns/{campaign_id}/launch",
    response={200: LaunchForecastOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="What launching an awareness campaign now would do",
    openapi_extra=needs(Scope.MANAGE_CAMPAIGNS),
)
def campaign_launch_forecast(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    return _forecast_out(_awareness_to_launch(request, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/launch",
    response={200: LaunchOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    summary="Launch an awareness campaign",
    openapi_extra=needs(Scope.MANAGE_CAMPAIGNS),
)
def launch_campaign(
    request: HttpRequest, campaign_id: Path[int], payload: LaunchIn
) -> dict[str, object]:
    campaign = _awareness_to_launch(request, campaign_id)
    # The console's launch of a campaign's mailing (its confirmation page, then this).
    return _launch(
        campaign,
        lambda: delivery_services.mailing_launch(mailing=campaign.mailing, actor=actor_of(request)),
        payload.recipients,
    )


class SimulationYearRow(Schema):
    campaign_id: int
    name: str
    sent: int
    shown: bool = Field(description="False below the anonymity threshold: no rates then.")
    clicked: RateOut | None
    submitted: RateOut | None
    reported: RateOut | None


class FiguresOut(Schema):
    year: int
    years: list[int]
    anonymity_threshold: int
    awareness_campaigns: int
    simulations: int
    people_reached: int
    incidents: int
    reported: RateOut | None
    reported_without_clicking: RateOut | None
    repeat_clickers: int | None = Field(description="None below the anonymity threshold.")
    simulation_rows: list[SimulationYearRow]


@router.get(
    "/figures/{year}",
    response={200: FiguresOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The year's figures",
    openapi_extra=needs(Scope.READ_RESULTS),
)
def figures(request: HttpRequest, year: Path[int]) -> dict[str, object]:
    require(request, Scope.READ_RESULTS)
    organisation = organisation_of(request)
    analytics.default_year(organisation)  # brings the rollups up to date, as the page does
    known = analytics.years(organisation)
    if year not in known:
        raise HttpError(404, _("No figures for this year."))
    p = analytics.programme(organisation, year)
    return {
        "year": p.year,
        "years": known,
        "anonymity_threshold": p.threshold,
        "awareness_campaigns": p.awareness_count,
        "simulations": p.simulation_count,
        "people_reached": p.people_reached,
        "incidents": p.incidents_total,
        "reported": _rate(p.reported),
        "reported_without_clicking": _rate(p.reported_only),
        "repeat_clickers": p.repeat_clickers,
        "simulation_rows": [
            {
                "campaign_id": row.campaign_id,
                "name": row.name,
                "sent": row.sent,
                "shown": row.shown,
                "clicked": _rate(row.clicked) if row.shown else None,
                "submitted": _rate(row.submitted) if row.shown else None,
                "reported": _rate(row.reported) if row.shown else None,
            }
            for row in p.simulations
        ],
    }
