"""Reads over the audience, always scoped to one organisation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet

from hygie.accounts.models import Organisation
from hygie.audience import departements
from hygie.audience.models import (
    ImportJob,
    Person,
    PersonStatus,
    Practice,
    PracticeRole,
    Profession,
    Segment,
    Tag,
)
from hygie.audience.segments import SegmentFilters

# People's attributes by which results are broken down, stored as codes.
_CHOICES: dict[str, type[models.TextChoices]] = {
    "profession": Profession,
    "practice_role": PracticeRole,
    "status": PersonStatus,
}


def attribute_label(attribute: str, value: str) -> str:
    """A stored value of a person's attribute (profession, practice role, status,
    département…) as a person reads it, in the page's language; "—" when not given."""
    if not value:
        return "—"
    choices = _CHOICES.get(attribute)
    if choices is not None:
        return str(choices(value).label) if value in choices.values else value
    if attribute == "departement":
        return departements.label(value)
    return value


def people(organisation: Organisation) -> QuerySet[Person]:
    return Person.objects.filter(organisation=organisation)


def search_people(
    organisation: Organisation,
    *,
    query: str = "",
    departement: str = "",
    profession: str = "",
    status: str = "",
    segment: Segment | None = None,
) -> QuerySet[Person]:
    result = people(organisation).select_related("practice")
    if segment is not None:
        result = segment_people(segment)
    for term in query.split()[:5]:
        result = result.filter(
            Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(email__icontains=term)
            | Q(rpps=term)
            | Q(commune__icontains=term)
        )
    if departement:
        result = result.filter(departement=departement)
    if profession:
        result = result.filter(profession=profession)
    if status:
        result = result.filter(status=status)
    return result


def segment_people(segment: Segment) -> QuerySet[Person]:
    filters = SegmentFilters.from_json(segment.filters)
    return filters.apply(people(segment.organisation).select_related("practice"))


def segment_people_any_status(segment: Segment) -> QuerySet[Person]:
    """The segment's people whatever their status: to say how many a mailing leaves out
    (unsubscribed, bounced)."""
    filters = replace(SegmentFilters.from_json(segment.filters), statuses=[])
    return filters.apply(people(segment.organisation))


def count_for_filters(organisation: Organisation, filters: SegmentFilters) -> int:
    return filters.apply(people(organisation)).count()


def people_filtered(organisation: Organisation, filters: dict[str, Any]) -> QuerySet[Person]:
    """People of `organisation` matching segment filters given as JSON (a saved segment's
    `filters`, or the same keys from an API query), every status unless filtered."""
    data = {"statuses": [], **filters}
    return SegmentFilters.from_json(data).apply(people(organisation))


def segments(organisation: Organisation) -> QuerySet[Segment]:
    return Segment.objects.filter(organisation=organisation)


def practices(organisation: Organisation) -> QuerySet[Practice]:
    return (
        Practice.objects.filter(organisation=organisation)
        .annotate(size=Count("people"))
        .order_by("name", "id")
    )


def imports(organisation: Organisation) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organisation=organisation).select_related("created_by")


def import_choices(organisation: Organisation) -> list[tuple[int, str]]:
    """The applied imports, newest first, as "file (date)" for the segment filter."""
    from django.utils import formats, timezone

    applied = imports(organisation).filter(applied_at__isnull=False)[:50]
    return [
        (job.pk, f"{job.filename} ({formats.date_format(timezone.localtime(when), 'd/m/Y')})")
        for job in applied
        if (when := job.applied_at)
    ]


def filter_choices(organisation: Organisation) -> dict[str, list[str]]:
    """Distinct values present in the organisation, each once, for filter pickers."""
    base = people(organisation).order_by()  # no default ordering: DISTINCT on the value only

    def distinct(field: str) -> list[str]:
        return sorted(v for v in base.values_list(field, flat=True).distinct() if v)

    return {
        "departements": distinct("departement"),
        "specialties": distinct("specialty"),
        "communes": distinct("commune"),
        "tags": list(Tag.objects.filter(organisation=organisation).values_list("name", flat=True)),
    }


def person_data(person: Person) -> dict[str, object]:
    """Everything Hygie holds about one person (data-subject access request)."""
    return {
        "pseudonymous_id": person.pseudonym,
        "civility": person.get_civility_display() if person.civility else "",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "mobile_phone": person.mobile_phone,
        "rpps": person.rpps,
        "profession": person.get_profession_display(),
        "role_in_the_practice": person.get_practice_role_display() if person.practice_role else "",
        "specialty": person.specialty,
        "departement": person.departement,
        "commune": person.commune,
        "practice": (
            {
                "name": person.practice.name,
                "address": person.practice.address,
                "commune": person.practice.commune,
            }
            if person.practice
            else None
        ),
        "language": person.language,
        "tags": [tag.name for tag in person.tags.all()],
        "status": person.status,
        "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
        "messages": [
            {
                "mailing": delivery.mailing.name,
                "channel": delivery.channel,
                "status": delivery.status,
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
                "capsule_page_visits": [
                    {"kind": event.kind, "at": event.at.isoformat()}
                    for event in delivery.reading_events.all()
                ],
                "quiz_results": [
                    {"score": a.score, "total": a.total, "at": a.completed_at.isoformat()}
                    for a in delivery.quiz_attempts.all()
                ],
            }
            for delivery in person.deliveries.select_related("mailing").prefetch_related(
                "reading_events", "quiz_attempts"
            )
        ],
    }
