"""/api/v1/people and /api/v1/segments."""

from __future__ import annotations

from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from hygie.api.auth import actor_of, organisation_of, require
from hygie.api.errors import field_error
from hygie.api.paging import CURSOR_PATTERN, paged
from hygie.api.schemas import (
    BulkIn,
    BulkOut,
    ErrorOut,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    RowError,
    SegmentOut,
    ValidationErrorOut,
)
from hygie.api.scopes import Scope, needs
from hygie.audience import selectors as audience
from hygie.audience import services as audience_services
from hygie.audience.models import Person

router = Router(tags=["people"])

MAX_PEOPLE_PAGE = 500


# No NUL character: PostgreSQL cannot compare text with one (a 422, not a server error).
FilterValue = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]


class PeopleFilters(Schema):
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page."
    )
    limit: int = Field(100, ge=1, le=MAX_PEOPLE_PAGE)
    departement: list[FilterValue] = []
    specialty: list[FilterValue] = []
    profession: list[FilterValue] = []
    tag: list[FilterValue] = []
    status: list[FilterValue] = []
    segment: int | None = None


def _person_out(person: Person) -> dict[str, object]:
    return {
        **{
            name: getattr(person, name)
            for name in (
                "id",
                "email",
                "civility",
                "first_name",
                "last_name",
                "mobile_phone",
                "rpps",
                "profession",
                "specialty",
                "departement",
                "commune",
                "language",
                "status",
                "created_at",
                "updated_at",
            )
        },
        "tags": sorted(tag.name for tag in person.tags.all()),
    }


@router.get(
    "/people",
    response={200: PersonPage, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="List people",
    openapi_extra=needs(Scope.READ_PEOPLE),
)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, object]:
    require(request, Scope.READ_PEOPLE)
    organisation = organisation_of(request)
    if filters.segment is not None:
        segment = audience.segments(organisation).filter(pk=filters.segment).first()
        if segment is None:
            raise HttpError(404, _("Unknown segment."))
        base = audience.segment_people(segment)
    else:
        base = audience.people(organisation)
    chosen = {
        "departements": filters.departement,
        "specialties": filters.specialty,
        "professions": filters.profession,
        "tags": filters.tag,
        "statuses": filters.status,
    }
    people = audience.people_filtered(organisation, chosen).filter(pk__in=base.values("pk"))
    page, cursor = paged(
        people.prefetch_related("tags"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_person_out(p) for p in page], "next_cursor": cursor}


def _refused(reason: str) -> dict[str, object]:
    """The import's refusal of the row, already in the caller's language."""
    return field_error({"loc": ("body",), "msg": reason})


def _find(request: HttpRequest, person_id: int) -> Person:
    return get_object_or_404(audience.people(organisation_of(request)), pk=person_id)


@router.post(
    "/people/bulk",
    response={200: BulkOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Create or update up to 10,000 people in one call, with per-row errors",
    openapi_extra=needs(Scope.WRITE_PEOPLE),
)
def bulk_upsert(request: HttpRequest, payload: BulkIn) -> dict[str, object]:
    return _upsert(request, [row.model_dump() for row in payload.rows])


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut},
    summary="One person",
    openapi_extra=needs(Scope.READ_PEOPLE),
)
def get_person(request: HttpRequest, person_id: int) -> dict[str, object]:
    require(request, Scope.READ_PEOPLE)
    return _person_out(_find(request, person_id))


def _without_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def _upsert(request: HttpRequest, rows: list[dict[str, object]]) -> dict[str, object]:
    token = require(request, Scope.WRITE_PEOPLE)
    # A NUL character is never meant (PostgreSQL cannot store one): dropped, as the
    # text of an SMS report is, rather than failing the whole call.
    rows = [{key: _without_nul(value) for key, value in row.items()} for row in rows]
    job = audience_services.people_upsert(
        organisation=token.organisation,
        rows=rows,
        actor=actor_of(request),
        source=f"API: {token.name}",
    )
    found = job.rejections.order_by("line", "pk").values_list("line", "reason", "is_warning")
    errors = [RowError(row=line, reason=reason) for line, reason, warning in found if not warning]
    warnings = [RowError(row=line, reason=reason) for line, reason, warning in found if warning]
    return {**job.counts, "errors": errors, "warnings": warnings}


@router.post(
    "/people",
    response={201: PersonOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Create or update one person (matched by email, then RPPS number)",
    openapi_extra=needs(Scope.WRITE_PEOPLE),
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[dict[str, object]]:
    result = _upsert(request, [payload.model_dump()])
    errors = result["errors"]
    if errors:
        reason = errors[0].reason  # type: ignore[index]
        return Status(422, {"detail": reason, "errors": [_refused(reason)]})
    person = audience.people(organisation_of(request)).get(email=payload.email.strip().lower())
    return Status(201, _person_out(person))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Change some values of one person",
    openapi_extra=needs(Scope.WRITE_PEOPLE),
)
def update_person(
    request: HttpRequest, person_id: int, payload: PersonPatch
) -> Status[dict[str, object]]:
    require(request, Scope.WRITE_PEOPLE)
    person = _find(request, person_id)
    if not person.email:
        raise HttpError(404, _("Not found."))
    row = {**payload.model_dump(exclude_none=True), "email": person.email}
    result = _upsert(request, [row])
    errors = result["errors"]
    if errors:
        reason = errors[0].reason  # type: ignore[index]
        return Status(422, {"detail": reason, "errors": [_refused(reason)]})
    person.refresh_from_db()
    return Status(200, _person_out(person))


@router.delete(
    "/people/{person_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Erase one person (as in the console: identity removed, address suppressed)",
    openapi_extra=needs(Scope.WRITE_PEOPLE),
)
def erase_person(request: HttpRequest, person_id: int) -> Status[None]:
    require(request, Scope.WRITE_PEOPLE)
    person = _find(request, person_id)
    with transaction.atomic():
        audience_services.person_erase(person=person, actor=actor_of(request))
    return Status(204, None)


@router.get(
    "/segments",
    response={200: list[SegmentOut], 403: ErrorOut},
    tags=["segments"],
    summary="List segments",
    openapi_extra=needs(Scope.READ_PEOPLE),
)
def list_segments(request: HttpRequest) -> list[dict[str, object]]:
    require(request, Scope.READ_PEOPLE)
    organisation = organisation_of(request)
    return [
        {
            "id": s.pk,
            "name": s.name,
            "description": s.description,
            "filters": s.filters,
            "people": audience.segment_people(s).count(),
        }
        for s in audience.segments(organisation)
    ]
