"""What the personal space shows: the signed-in person's own history, nobody else's.

Every query here starts from one `Person`; none takes an identifier from the
request without also filtering on that person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hygie.audience.models import Person, PersonStatus
from hygie.awareness.models import QuizAttempt, ReadingEvent
from hygie.delivery.models import Delivery, DeliveryStatus, MailingKind
from hygie.phishing.models import SimulationResult
from hygie.portal.models import AccessLink

# A simulation the person neither clicked nor reported stays out of the space while
# its campaign runs: showing it would tell them the message in their inbox is an
# exercise. It appears when the campaign ends, or this long after it was sent.
SIMULATION_SHOWN_AFTER = timedelta(days=30)


def _received(person: Person, kind: str) -> QuerySet[Delivery]:
    """The person's real (not test) messages of one kind that left."""
    return Delivery.objects.filter(
        person=person, is_test=False, status=DeliveryStatus.SENT, mailing__kind=kind
    )


def _capsule_title(delivery: Delivery) -> str:
    try:
        return delivery.mailing.awareness_campaign.capsule.title
    except ObjectDoesNotExist:
        return delivery.mailing.name


# --- Capsules ------------------------------------------------------------------


@dataclass(frozen=True)
class CapsuleRow:
    delivery_id: int
    token: str
    name: str
    title: str
    sent_at: datetime | None
    read: bool
    best_score: int | None
    total: int | None


def capsules(person: Person) -> list[CapsuleRow]:
    """Every capsule the person received, newest first, with what they did with it."""
    deliveries = (
        _received(person, MailingKind.AWARENESS)
        .select_related("mailing__awareness_campaign__capsule")
        .annotate(
            # Link scanners' visits do not make a capsule "read".
            was_read=Exists(ReadingEvent.objects.filter(delivery=OuterRef("pk"), automated=False)),
            best_score=Max("quiz_attempts__score"),
            quiz_total=Max("quiz_attempts__total"),
        )
        .order_by("-sent_at", "-pk")
    )
    return [
        CapsuleRow(
            delivery_id=d.pk,
            token=d.token,
            name=d.mailing.name,
            title=_capsule_title(d),
            sent_at=d.sent_at,
            read=d.was_read,
            best_score=d.best_score,
            total=d.quiz_total,
        )
        for d in deliveries
    ]


# --- Simulations ---------------------------------------------------------------


class Outcome:
    """What the person did with a simulated message (worded kindly by the template)."""

    REPORTED = "reported"
    CLICKED_THEN_REPORTED = "clicked_then_reported"
    SUBMITTED = "submitted"
    CLICKED = "clicked"
    NOT_CLICKED = "not_clicked"


def outcome_of(result: SimulationResult | None) -> str:
    if result is None:
        return Outcome.NOT_CLICKED
    clicked = result.clicked_at is not None or result.submitted_at is not None
    if result.reported_at is not None:
        return Outcome.CLICKED_THEN_REPORTED if clicked else Outcome.REPORTED
    if result.submitted_at is not None:
        return Outcome.SUBMITTED
    if clicked:
        return Outcome.CLICKED
    return Outcome.NOT_CLICKED


@dataclass(frozen=True)
class SimulationRow:
    delivery_id: int
    name: str
    sent_at: datetime | None
    outcome: str

    @property
    def clicked(self) -> bool:
        return self.outcome in {Outcome.CLICKED, Outcome.SUBMITTED, Outcome.CLICKED_THEN_REPORTED}


def shown_simulations(person: Person) -> QuerySet[Delivery]:
    """The person's simulated messages that may be shown to them (see SIMULATION_SHOWN_AFTER)."""
    return _received(person, MailingKind.SIMULATION).filter(
        Q(simulation_result__clicked_at__isnull=False)
        | Q(simulation_result__submitted_at__isnull=False)
        | Q(simulation_result__reported_at__isnull=False)
        | Q(mailing__simulation__ended_at__isnull=False)
        | Q(sent_at__lte=timezone.now() - SIMULATION_SHOWN_AFTER)
    )


def simulations(person: Person) -> list[SimulationRow]:
    deliveries = (
        shown_simulations(person)
        .select_related("mailing", "variant", "simulation_result")
        .order_by("-sent_at", "-pk")
    )
    rows = []
    for d in deliveries:
        try:
            result: SimulationResult | None = d.simulation_result
        except ObjectDoesNotExist:
            result = None
        rows.append(
            SimulationRow(
                delivery_id=d.pk,
                # What the person saw (the message's subject), never the campaign's
                # name, which is the staff's own wording.
                name=d.variant.subject or gettext("Text message"),
                sent_at=d.sent_at,
                outcome=outcome_of(result),
            )
        )
    return rows


def exercise(person: Person, delivery_id: int) -> Delivery | None:
    """One of the person's shown simulations, ready for its teachable moment."""
    return (
        shown_simulations(person)
        .select_related(
            "mailing__organisation",
            "mailing__simulation",
            "variant",
            "person__practice",
            "simulation_result",
        )
        .filter(pk=delivery_id)
        .first()
    )


# --- Yearly certificate ----------------------------------------------------------


@dataclass(frozen=True)
class ReadCapsule:
    title: str
    read_at: datetime


@dataclass(frozen=True)
class CompletedQuiz:
    title: str
    completed_at: datetime
    score: int
    total: int


@dataclass(frozen=True)
class Certificate:
    year: int
    capsules_read: list[ReadCapsule]
    quizzes: list[CompletedQuiz]

    @property
    def is_empty(self) -> bool:
        return not self.capsules_read and not self.quizzes


def _awareness_deliveries(person: Person) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        person=person, is_test=False, mailing__kind=MailingKind.AWARENESS
    )


def certificate(person: Person, year: int) -> Certificate:
    """Capsules read (first reading in the year) and quizzes completed (best attempt) in
    `year`, in the current time zone (Europe/Paris). Link scanners' visits do not count."""
    deliveries = {
        d.pk: d
        for d in _awareness_deliveries(person).select_related(
            "mailing__awareness_campaign__capsule"
        )
    }
    first_read: dict[int, datetime] = {}
    for delivery_id, at in (
        ReadingEvent.objects.filter(delivery__in=list(deliveries), automated=False, at__year=year)
        .order_by("at")
        .values_list("delivery_id", "at")
    ):
        first_read.setdefault(delivery_id, at)
    best: dict[int, QuizAttempt] = {}
    for attempt in QuizAttempt.objects.filter(
        delivery__in=list(deliveries), completed_at__year=year
    ).order_by("completed_at"):
        kept = best.get(attempt.delivery_id)
        if kept is None or attempt.score * kept.total > kept.score * attempt.total:
            best[attempt.delivery_id] = attempt
    return Certificate(
        year=year,
        capsules_read=sorted(
            (ReadCapsule(_capsule_title(deliveries[pk]), at) for pk, at in first_read.items()),
            key=lambda item: item.read_at,
        ),
        quizzes=sorted(
            (
                CompletedQuiz(_capsule_title(deliveries[pk]), a.completed_at, a.score, a.total)
                for pk, a in best.items()
            ),
            key=lambda item: item.completed_at,
        ),
    )


def activity_years(person: Person) -> list[int]:
    """Years in which the person read a capsule or completed a quiz, newest first."""
    deliveries = _awareness_deliveries(person)
    years = {
        moment.year
        for moment in ReadingEvent.objects.filter(
            delivery__in=deliveries, automated=False
        ).datetimes("at", "year")
    }
    years.update(
        moment.year
        for moment in QuizAttempt.objects.filter(delivery__in=deliveries).datetimes(
            "completed_at", "year"
        )
    )
    return sorted(years, reverse=True)


# --- Sign-in links ---------------------------------------------------------------


def token_hash(token: str) -> str:
    # The token carries 256 random bits: a plain hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_address(address: str) -> str:
    return address.strip().lower()


def usable_links(token: str) -> QuerySet[AccessLink]:
    """The link behind `token` while it can still open a session."""
    return AccessLink.objects.filter(
        token_hash=token_hash(token),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
        person__status=PersonStatus.ACTIVE,
        person__organisation__is_active=True,
    )


def link_is_usable(token: str) -> bool:
    """Whether the link would open a session, without using it (GET of the link page)."""
    return usable_links(token).exists()
