"""Enrolling people in a capsule, for apps that may not import the awareness app.

A simulation's follow-up enrols those who clicked in the capsule of the scenario's
theme, so that their reading and quiz count in the awareness results. Phishing and
awareness are siblings and neither imports the other (docs/architecture.md); both use
the library. Awareness, which alone knows how to make a campaign, registers its
enroller here when the app is ready, and phishing asks the library.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation
from hygie.library.models import Capsule

# A list of person ids, or a query of them (sent to the database as a sub-query).
type PersonIds = Collection[int] | QuerySet[Any, int]


@dataclass(frozen=True)
class Enrolment:
    name: str  # of the campaign made for them
    people: int  # enrolled, once those who cannot receive it are left out
    results_path: str  # console page of that campaign's results


class Enroller(Protocol):
    def __call__(
        self,
        *,
        organisation: Organisation,
        capsule: Capsule,
        people: PersonIds,
        name: str,
        actor: Actor,
    ) -> Enrolment | None: ...


_enrollers: list[Enroller] = []


def register_enroller(enroller: Enroller) -> None:
    """Called once by the awareness app; a second registration replaces the first."""
    _enrollers[:] = [enroller]


def enrol(
    *,
    organisation: Organisation,
    capsule: Capsule,
    people: PersonIds,
    name: str,
    actor: Actor,
) -> Enrolment | None:
    """Send `capsule` to `people` (person ids of `organisation`) as a measured campaign.

    None when nobody among them can receive it (unsubscribed, no address, erased).
    """
    if not _enrollers:
        raise ImproperlyConfigured("No installed app enrols people in capsules (awareness).")
    return _enrollers[0](
        organisation=organisation,
        capsule=capsule,
        people=people,
        name=name,
        actor=actor,
    )
