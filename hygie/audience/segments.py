"""Segment filters: what a saved segment means, as a queryset over people.

Filters combine with AND; the values inside one filter combine with OR
("départements 33 or 40, and specialty cardiology"). History filters (opened,
clicked…) are added by the campaign apps once they exist.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from hygie.audience.models import Person, PersonStatus


@dataclass
class SegmentFilters:
    departements: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    professions: list[str] = field(default_factory=list)
    practice_roles: list[str] = field(default_factory=list)
    practice_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    # The people an import listed (new, updated or unchanged): "the people of import N".
    import_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: [str(PersonStatus.ACTIVE)])
    joined_after: date | None = None
    joined_before: date | None = None
    # History: True = never opened an awareness capsule; False = opened at least one.
    never_read_capsule: bool | None = None
    # True = clicked (as a person, not a robot) in the organisation's latest simulation.
    clicked_last_simulation: bool | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentFilters:
        def dated(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            departements=list(data.get("departements", [])),
            specialties=list(data.get("specialties", [])),
            professions=list(data.get("professions", [])),
            practice_roles=list(data.get("practice_roles", [])),
            practice_ids=[int(i) for i in data.get("practice_ids", [])],
            tags=list(data.get("tags", [])),
            communes=list(data.get("communes", [])),
            import_ids=[int(i) for i in data.get("import_ids", [])],
            statuses=list(data.get("statuses", [PersonStatus.ACTIVE])),
            joined_after=dated(data.get("joined_after")),
            joined_before=dated(data.get("joined_before")),
            never_read_capsule=data.get("never_read_capsule"),
            clicked_last_simulation=data.get("clicked_last_simulation"),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("joined_after", "joined_before"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    def apply(self, people: QuerySet[Person]) -> QuerySet[Person]:
        if self.departements:
            people = people.filter(departement__in=self.departements)
        if self.specialties:
            people = people.filter(specialty__in=self.specialties)
        if self.professions:
            people = people.filter(profession__in=self.professions)
        if self.practice_roles:
            people = people.filter(practice_role__in=self.practice_roles)
        if self.practice_ids:
            people = people.filter(practice_id__in=self.practice_ids)
        if self.tags:
            people = people.filter(tags__name__in=self.tags).distinct()
        if self.communes:
            people = people.filter(commune__in=self.communes)
        if self.import_ids:
            people = people.filter(
                pk__in=Person.imports.through.objects.filter(
                    importjob_id__in=self.import_ids
                ).values("person_id")
            )
        if self.statuses:
            people = people.filter(status__in=self.statuses)
        if self.joined_after:
            people = people.filter(created_at__date__gte=self.joined_after)
        if self.joined_before:
            people = people.filter(created_at__date__lte=self.joined_before)
        if self.never_read_capsule is not None:
            # Reverse relations by name, so that the audience needs no import of
            # the apps built on top of it. Scanner visits do not count as reading.
            readers = Person.objects.filter(
                deliveries__reading_events__kind="page_viewed",
                deliveries__reading_events__automated=False,
            ).values("pk")
            people = (
                people.exclude(pk__in=readers)
                if self.never_read_capsule
                else people.filter(pk__in=readers)
            )
        if self.clicked_last_simulation is not None:
            people = self._by_last_simulation(people)
        return people

    def _by_last_simulation(self, people: QuerySet[Person]) -> QuerySet[Person]:
        # The delivery model is reached through the relation, not imported: the
        # audience sits below the apps that send.
        delivery_model = Person._meta.get_field("deliveries").related_model
        latest = (
            delivery_model._default_manager.filter(
                mailing__kind="simulation", person__in=people.values("pk")
            )
            .order_by("-mailing__launched_at", "-mailing_id")
            .values_list("mailing_id", flat=True)
            .first()
        )
        if latest is None:
            return people.none() if self.clicked_last_simulation else people
        clickers = Person.objects.filter(
            deliveries__mailing_id=latest, deliveries__simulation_result__stage__gte=2
        ).values("pk")
        if self.clicked_last_simulation:
            return people.filter(pk__in=clickers)
        return people.exclude(pk__in=clickers)
