"""A year of programme built from raw events: two capsules, two simulations (and one the
year before), robots among the visitors, retried quizzes, reports after clicks, and four
incident reports.

The tests that ask for `world` share one build of it (hygie/testing/shared_rows.py):
each reads it again from the database, so that what one test changes, in memory or in
rows, is gone for the next; `organisation` and `admin` are then the world's. Tests that
commit (a live server) take `committed_world`, built for the test alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from hygie.accounts.models import Organisation, User
from hygie.awareness.models import AwarenessCampaign
from hygie.conftest import new_admin, new_organisation
from hygie.delivery.models import Delivery
from hygie.incidents.models import IncidentReport
from hygie.incidents.tests.helpers import PHISHING_NO_DATA, RANSOMWARE, make_report
from hygie.phishing.models import HitKind, SimulationCampaign, Verdict

from . import builders as b

MIN = dt.timedelta(minutes=1)


@dataclass
class World:
    organisation: Organisation
    backups: AwarenessCampaign
    updates: AwarenessCampaign
    spring: SimulationCampaign
    summer: SimulationCampaign
    older: SimulationCampaign
    deliveries: dict[str, dict[int, Delivery]]
    people: list[int]
    admin_pk: int


def _commits(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and bool(marker.kwargs.get("transaction"))
    return transactional or bool({"transactional_db", "live_server"} & set(request.fixturenames))


def _new_world() -> World:
    organisation = new_organisation()
    return build_world(organisation, new_admin(organisation))


@pytest.fixture(autouse=True)
def _shared_world(request: pytest.FixtureRequest) -> World | None:
    """The shared world as built, before the test's own transaction (an autouse fixture
    comes before the test's `db`)."""
    if "world" not in request.fixturenames:
        return None
    if _commits(request):
        pytest.fail("A test that commits takes `committed_world`, built for it alone.")
    return request.getfixturevalue("shared_rows")("world").value(_new_world)


@pytest.fixture
def world(_shared_world: World, db: None) -> World:
    """The shared world, each object read again from the database for this test."""
    built = _shared_world
    deliveries = Delivery.objects.in_bulk(
        [d.pk for by_person in built.deliveries.values() for d in by_person.values()]
    )
    return World(
        organisation=Organisation.objects.get(pk=built.organisation.pk),
        backups=AwarenessCampaign.objects.get(pk=built.backups.pk),
        updates=AwarenessCampaign.objects.get(pk=built.updates.pk),
        spring=SimulationCampaign.objects.get(pk=built.spring.pk),
        summer=SimulationCampaign.objects.get(pk=built.summer.pk),
        older=SimulationCampaign.objects.get(pk=built.older.pk),
        deliveries={
            name: {person: deliveries[d.pk] for person, d in by_person.items()}
            for name, by_person in built.deliveries.items()
        },
        people=list(built.people),
        admin_pk=built.admin_pk,
    )


@pytest.fixture
def organisation(request: pytest.FixtureRequest, db: None) -> Organisation:
    if "world" in request.fixturenames:
        world: World = request.getfixturevalue("world")
        return world.organisation
    return new_organisation()


@pytest.fixture
def admin(request: pytest.FixtureRequest, organisation: Organisation) -> User:
    if "world" in request.fixturenames:
        return User.objects.get(pk=request.getfixturevalue("world").admin_pk)
    return new_admin(organisation)


@pytest.fixture
def committed_world(organisation: Organisation, admin: User) -> World:
    """The world for a test that commits (a live server), built for it alone."""
    return build_world(organisation, admin)


def build_world(organisation: Organisation, admin: User) -> World:
    organisation.anonymity_threshold = 3
    organisation.save()
    b.setup_library(organisation)
    specs = (
        [{"departement": "33", "specialty": "Médecine générale", "profession": "doctor"}] * 8
        + [{"departement": "75", "specialty": "Pédiatrie", "profession": "doctor"}] * 2
        + [{"departement": "69", "specialty": "", "profession": "secretary"}] * 2
    )
    people = [p.pk for p in b.make_people(organisation, specs)]

    older, old_d = b.launch_simulation(
        organisation,
        admin,
        "alerte-connexion-inhabituelle",
        dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        "2024",
    )
    for person in people[:6]:
        b.hit(old_d[person], at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC))

    jan = b.JAN
    backups, a1 = b.launch_awareness(organisation, admin, "sauvegardes", jan, "Sauvegardes")
    capsule = backups.capsule
    for person in people[:7]:
        b.read(a1[person], at=jan + 60 * MIN)
    b.read(a1[people[7]], automated=True, at=jan + MIN)  # a link scanner, not a reader
    b.answer(a1[people[0]], capsule, {0}, at=jan + 61 * MIN)
    b.answer(a1[people[0]], capsule, set(), at=jan + 70 * MIN)  # retried: the first counts
    b.answer(a1[people[1]], capsule, {0}, at=jan + 62 * MIN)
    b.answer(a1[people[2]], capsule, {0, 1}, at=jan + 63 * MIN)
    b.answer(a1[people[3]], capsule, set(), at=jan + 64 * MIN)
    b.answer(a1[people[4]], capsule, {0}, at=jan + 65 * MIN)

    mar = dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC)
    updates, a2 = b.launch_awareness(organisation, admin, "mises-a-jour", mar, "Mises à jour")
    for person in people[:3]:
        b.read(a2[person], at=mar + MIN)
        b.answer(a2[person], updates.capsule, {1, 2}, at=mar + 2 * MIN)

    feb = dt.datetime(2025, 2, 3, 9, tzinfo=dt.UTC)
    spring, s1 = b.launch_simulation(
        organisation, admin, "espace-pro-sante-avis-paiement", feb, "Printemps"
    )
    for person in people[:6]:
        b.hit(s1[person], at=feb + 5 * MIN)
    b.hit(s1[people[6]], at=feb + 2 * MIN, verdict=Verdict.AUTOMATED)  # a sandbox
    for person in people[:2]:
        b.hit(s1[person], HitKind.SUBMIT, at=feb + 6 * MIN)
    b.hit(s1[people[7]], HitKind.REPORT, at=feb + 30 * MIN)
    b.hit(s1[people[8]], HitKind.REPORT, at=feb + 90 * MIN)
    b.hit(s1[people[2]], HitKind.REPORT, at=feb + 20 * MIN)

    jun = dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)
    summer, s2 = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", jun, "Été"
    )
    for person in people[:2]:
        b.hit(s2[person], at=jun + 3 * MIN)
    for index, person in enumerate(people[2:7]):
        b.hit(s2[person], HitKind.REPORT, at=jun + (10 + 5 * index) * MIN)
    for path in (RANSOMWARE, RANSOMWARE, RANSOMWARE, PHISHING_NO_DATA):
        report = make_report(organisation, path)
        IncidentReport.objects.filter(pk=report.pk).update(created_at=jun + 60 * MIN)
    return World(
        organisation=organisation,
        backups=backups,
        updates=updates,
        spring=spring,
        summer=summer,
        older=older,
        deliveries={"a1": a1, "a2": a2, "s1": s1, "s2": s2, "old": old_d},
        people=people,
        admin_pk=admin.pk,
    )
