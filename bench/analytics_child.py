"""Child of bench_analytics: generate a programme, time the result pages, print one JSON line.

100,000 people; 20 campaigns (10 capsules, 10 simulations) sent to everyone, so 2 million
messages; about 2 million events (capsule visits, robots' visits, quiz answers,
simulation hits) and 1 million simulation summaries, inserted with prepared statements.
The pages are timed after the first 10 campaigns and again after all 20 (flat as the
programme grows). On PostgreSQL the bench database is emptied at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

PEOPLE = 100_000
CAMPAIGNS = 20
DEPARTEMENTS = ["33", "75", "69", "13", "31", "59", "67", "44", "06", "34", "2A", "971"]
SPECIALTIES = ["Médecine générale", "Pédiatrie", "Cardiologie", "Psychiatrie", "Dermatologie"]
PROFESSIONS = ["doctor"] * 7 + ["secretary", "assistant", "nurse"]


def timed(client, url: str, repeat: int = 9) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def timed_sql(sql: str, repeat: int = 9) -> float:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchone()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


class Inserter:
    """One prepared INSERT per table; constants adapted once, varying values given ready."""

    def __init__(self, model: Any, varying: Sequence[str], **constants: Any) -> None:
        from django.db import connection

        self.model = model
        self.varying = list(varying)
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        self.constant_values = tuple(
            fields[name].get_db_prep_save(value, connection) for name, value in constants.items()
        )
        self.columns = self.varying + list(constants)
        missing = set(fields) - set(self.columns)
        assert not missing, f"{model.__name__}: give {sorted(missing)}"

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        from hygie.lib.bulk import insert_rows

        batch = [row + self.constant_values for row in rows]
        insert_rows(self.model, self.columns, batch)
        return len(batch)


def active_people(varying: Sequence[str], now: dt.datetime, **constants: Any) -> Inserter:
    """Active people created at `now`, without a practice (the benches' audiences)."""
    from hygie.audience.models import Person

    return Inserter(
        Person,
        varying,
        civility="",
        first_name="",
        mobile_phone="",
        rpps=None,
        commune="",
        practice_id=None,
        language="fr",
        status="active",
        status_changed_at=None,
        created_at=now,
        updated_at=now,
        **constants,
    )


def sent_deliveries(varying: Sequence[str], sent_at: dt.datetime, **constants: Any) -> Inserter:
    """Deliveries already sent at `sent_at` (the benches' campaigns start there)."""
    from hygie.delivery.models import Delivery

    return Inserter(
        Delivery,
        varying,
        channel="email",
        status="sent",
        scheduled_at=sent_at,
        next_attempt_at=sent_at,
        attempts=0,
        lease_owner="",
        lease_expires_at=None,
        sent_at=sent_at,
        message_id="",
        last_error="",
        is_test=False,
        **constants,
    )


def main(count: int = PEOPLE) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hygie.accounts.models import Membership, Organisation, User
    from hygie.analytics import rollups
    from hygie.audience.models import Person, Segment
    from hygie.awareness.models import AwarenessCampaign, QuizAttempt, ReadingEvent
    from hygie.delivery.models import Delivery, Mailing, MailingKind, Variant
    from hygie.library.content import capsules_sync
    from hygie.library.models import Capsule
    from hygie.phishing.content.scenarios import scenarios_sync
    from hygie.phishing.models import (
        Scenario,
        SimulationCampaign,
        SimulationEvent,
        SimulationResult,
    )

    rng = random.Random(11)
    ops = connection.ops
    year = dt.datetime.now(dt.UTC).year - 1
    start = dt.datetime(year, 1, 8, 9, tzinfo=dt.UTC)
    timestamps: dict[dt.datetime, Any] = {}

    def at(moment: dt.datetime) -> Any:
        if moment not in timestamps:
            timestamps[moment] = ops.adapt_datetimefield_value(moment)
        return timestamps[moment]

    generated = time.perf_counter()
    if connection.vendor == "sqlite":
        # Loading only: one fsync per statement would make the disk the bench.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    organisation = Organisation.objects.create(name="Bench", slug=f"bench-{os.getpid()}")
    now = dt.datetime.now(dt.UTC)
    people = active_people(
        ("pseudonym", "email", "last_name", "departement", "specialty", "profession"),
        now,
        organisation_id=organisation.pk,
    )
    people.insert(
        (
            f"p{organisation.pk}x{n:07d}",
            f"dr{n}@bench.example",
            f"Nom{n % 5000}",
            rng.choice(DEPARTEMENTS),
            rng.choice(SPECIALTIES),
            rng.choice(PROFESSIONS),
        )
        for n in range(count)
    )
    person_ids = list(
        Person.objects.filter(organisation=organisation).order_by("pk").values_list("pk", "email")
    )
    for name, filters in (
        ("Gironde", {"departements": ["33"]}),
        ("Médecins", {"professions": ["doctor"]}),
        ("Généralistes", {"specialties": ["Médecine générale"]}),
    ):
        Segment.objects.create(organisation=organisation, name=name, filters=filters)
    capsules_sync()
    scenarios_sync()
    capsules = list(Capsule.objects.filter(language="fr", organisation=None).order_by("slug"))
    scenarios = list(Scenario.objects.filter(language="fr").order_by("slug"))
    events = 0

    @transaction.atomic
    def launch(index: int) -> None:
        nonlocal events
        sent_at = start + dt.timedelta(days=17 * index)
        awareness = index % 2 == 0
        mailing = Mailing.objects.create(
            organisation=organisation,
            name=f"Campagne {index + 1}",
            kind=MailingKind.AWARENESS if awareness else MailingKind.SIMULATION,
            status="completed",
            launched_at=sent_at,
            completed_at=sent_at,
        )
        if awareness:
            capsule = capsules[(index // 2) % len(capsules)]
            variant = Variant.objects.create(mailing=mailing, key="A", subject=capsule.title)
            campaign: Any = AwarenessCampaign.objects.create(
                organisation=organisation, name=mailing.name, capsule=capsule, mailing=mailing
            )
        else:
            scenario = scenarios[(index // 2) % len(scenarios)]
            variant = Variant.objects.create(mailing=mailing, key=f"s{scenario.pk}")
            campaign = SimulationCampaign.objects.create(
                organisation=organisation, name=mailing.name, mailing=mailing, path_prefix="x"
            )
            campaign.scenarios.set([scenario])
        deliveries = sent_deliveries(
            ("person_id", "recipient", "token"),
            sent_at,
            mailing_id=mailing.pk,
            organisation_id=organisation.pk,
            variant_id=variant.pk,
        )
        deliveries.insert((pk, email, f"{index:02d}{pk:08d}") for pk, email in person_ids)
        delivery_ids = list(
            Delivery.objects.filter(mailing=mailing).order_by("pk").values_list("pk", flat=True)
        )
        if awareness:
            reading = Inserter(
                ReadingEvent,
                ("delivery_id", "at", "automated", "automated_reason"),
                kind="page_viewed",
            )
            quiz_size = len(capsule.quiz)
            patterns = [[rng.randrange(len(q["choices"])) for q in capsule.quiz] for _ in range(16)]
            scores = [
                sum(
                    1
                    for q, a in zip(capsule.quiz, p, strict=True)
                    if q["choices"][a].get("correct")
                )
                for p in patterns
            ]
            answers_field = QuizAttempt._meta.get_field("answers")
            adapted = [answers_field.get_db_prep_save(p, connection) for p in patterns]
            quiz = Inserter(
                QuizAttempt,
                ("delivery_id", "answers", "score", "completed_at"),
                capsule_id=capsule.pk,
                total=quiz_size,
                reading_seconds=150,
            )
            visits, attempts = [], []
            for pk in delivery_ids:
                if rng.random() < 0.4:  # a link scanner opened it first
                    visits.append((pk, at(sent_at + dt.timedelta(seconds=5)), True, "scanner"))
                if rng.random() < 0.6:
                    minute = sent_at + dt.timedelta(minutes=rng.randrange(1, 3000))
                    visits.append((pk, at(minute), False, ""))
                    if rng.random() < 0.67:
                        p = rng.randrange(len(patterns))
                        attempts.append(
                            (pk, adapted[p], scores[p], at(minute + dt.timedelta(minutes=3)))
                        )
            events += reading.insert(visits) + quiz.insert(attempts)
            return
        hit = Inserter(
            SimulationEvent,
            ("delivery_id", "kind", "at", "verdict"),
            reasons=[],
            field_kinds=[],
            source="",
            reviewed_verdict="",
        )
        summary = Inserter(
            SimulationResult,
            ("delivery_id", "stage", "clicked_at", "submitted_at", "reported_at", "automated_hits"),
            campaign_id=campaign.pk,
            uncertain_hits=0,
            confirmed=False,
        )
        hits, results = [], []
        for pk in delivery_ids:
            robots = 0
            if rng.random() < 0.3:
                hits.append((pk, "click", at(sent_at + dt.timedelta(seconds=3)), "automated"))
                robots = 1
            stage, clicked, submitted, reported = 0, None, None, None
            draw = rng.random()
            if draw < 0.15:
                clicked = at(sent_at + dt.timedelta(minutes=rng.randrange(2, 2000)))
                hits.append((pk, "click", clicked, "human"))
                stage = 2
                if draw < 0.05:
                    submitted = clicked
                    hits.append((pk, "submit", submitted, "human"))
                    stage = 3
            if rng.random() < 0.12:
                reported = at(sent_at + dt.timedelta(minutes=rng.randrange(1, 600)))
                hits.append((pk, "report", reported, "human"))
            results.append((pk, stage, clicked, submitted, reported, robots))
        events += hit.insert(hits)
        summary.insert(results)

    user = User.objects.create_user(email=f"bench{os.getpid()}@example.org", password="x" * 20)
    Membership.objects.create(organisation=organisation, user=user, role="admin")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def pages(figures: dict[str, float], suffix: str) -> None:
        latest = SimulationCampaign.objects.filter(organisation=organisation).latest("pk")
        figures[f"dashboard_{suffix}_ms"] = timed(client, f"/console/results/?year={year}")
        results = f"/console/simulations/{latest.pk}/"
        # The first view computes the figures; the next ones read them kept.
        figures[f"simulation_results_first_view_{suffix}_ms"] = timed(client, results, 1)
        figures[f"simulation_results_{suffix}_ms"] = timed(client, results)
        figures[f"segment_breakdown_{suffix}_ms"] = timed(
            client, f"/console/results/breakdown/?campaign=simulation-{latest.pk}&dimension=segment"
        )
        figures[f"departement_breakdown_{suffix}_ms"] = timed(
            client,
            f"/console/results/breakdown/?campaign=simulation-{latest.pk}&dimension=departement",
        )

    figures: dict[str, float] = {}
    for index in range(CAMPAIGNS // 2):
        launch(index)
    started = time.perf_counter()
    rollups.refresh(organisation, stale_too=False)
    figures["rollup_10_campaigns_s"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    pages(figures, "10")
    for index in range(CAMPAIGNS // 2, CAMPAIGNS):
        launch(index)
    figures["generate_s"] = time.perf_counter() - generated
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
    started = time.perf_counter()
    rollups.refresh(organisation, stale_too=False, everything=True)
    figures["rollup_20_campaigns_s"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["events"] = events
    figures["count_reading_events_ms"] = timed_sql(
        f"SELECT COUNT(*) FROM {ReadingEvent._meta.db_table}"  # noqa: S608
    )
    figures["count_simulation_events_ms"] = timed_sql(
        f"SELECT COUNT(*) FROM {SimulationEvent._meta.db_table}"  # noqa: S608
    )
    pages(figures, "20")
    awareness = AwarenessCampaign.objects.filter(organisation=organisation).latest("pk")
    results = f"/console/awareness/{awareness.pk}/"
    figures["awareness_results_first_view_20_ms"] = timed(client, results, 1)
    figures["awareness_results_20_ms"] = timed(client, results)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
