"""/api/v1/simulations, /api/v1/campaigns and /api/v1/figures: what the console's results
pages show, with the same suppression of small groups. Per person only with the audited
`results:named` scope, as the console shows named results only to the roles allowed to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from hygie.analytics import selectors as analytics
from hygie.api import selectors as api_selectors
from hygie.api import services as api_services
from hygie.api.auth import organisation_of, require
from hygie.api.paging import Page, paged
from hygie.api.schemas import ErrorOut, ValidationErrorOut
from hygie.api.scopes import Scope
from hygie.awareness.models import AwarenessCampaign
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
    response={200: SimulationPage, 422: ValidationErrorOut},
    summary="List phishing simulations",
)
def list_simulations(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_simulations(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_simulation_out(c) for c in found], "next_cursor": cursor}


@router.get(
    "/simulations/{campaign_id}",
    response={200: SimulationOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get a phishing simulation",
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
    response={200: SimulationResultsOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Aggregate results of a phishing simulation",
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
        token=token, campaign=campaign, outcome=outcome, people=len(found), cursor=query.cursor
    )
    return {
        "campaign_id": campaign.pk,
        "outcome": outcome,
        "items": [_named_out(result) for result in found],
        "next_cursor": cursor,
    }


class LaunchOut(Schema):
    campaign_id: int
    deliveries: int


@router.post(
    "/simulations/{campaign_id}/launch",
    response={200: LaunchOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    summary="Launch a phishing simulation",
)
def launch_simulation(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    require(request, Scope.MANAGE_CAMPAIGNS)
    campaign = get_object_or_404(phishing.campaigns(organisation_of(request)), pk=campaign_id)
    try:
        # The console's own launch: refused until members were told that simulations exist.
        count = phishing_services.campaign_launch(campaign=campaign, actor=None, request=request)
    except DjangoValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    return {"campaign_id": campaign.pk, "deliveries": count}


def _awareness(request: HttpRequest) -> QuerySet[AwarenessCampaign]:
    require(request, Scope.READ_RESULTS)
    return AwarenessCampaign.objects.filter(organisation=organisation_of(request)).select_related(
        "mailing", "capsule"
    )


def _awareness_out(campaign: AwarenessCampaign) -> dict[str, object]:
    return {**_campaign_out(campaign), "capsule": campaign.capsule.slug}


@router.get(
    "/campaigns",
    response={200: AwarenessPage, 422: ValidationErrorOut},
    summary="List awareness campaigns",
)
def list_campaigns(request: HttpRequest, page: Query[Page]) -> dict[str, object]:
    found, cursor = paged(_awareness(request), cursor=page.cursor, limit=page.limit)
    return {"items": [_awareness_out(c) for c in found], "next_cursor": cursor}


@router.get(
    "/campaigns/{campaign_id}",
    response={200: AwarenessOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Get an awareness campaign",
)
def get_campaign(request: HttpRequest, campaign_id: Path[int]) -> dict[str, object]:
    return _awareness_out(get_object_or_404(_awareness(request), pk=campaign_id))


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
    response={200: FiguresOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The year's figures",
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
