"""Results of awareness campaigns, as the organisation may see them (aggregates only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet

from hygie.accounts.models import Organisation
from hygie.awareness.models import (
    AwarenessCampaign,
    EventKind,
    OpenEvent,
    QuizAttempt,
    ReadingEvent,
)
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.library.models import Capsule


def campaigns(organisation: Organisation) -> QuerySet[AwarenessCampaign]:
    return AwarenessCampaign.objects.filter(organisation=organisation).select_related(
        "capsule", "segment", "mailing"
    )


def capsule_for(delivery: Delivery) -> Capsule:
    """The capsule version of the delivery's campaign, in the reader's language if it exists."""
    campaign = AwarenessCampaign.objects.select_related("capsule").get(mailing=delivery.mailing)
    capsule = campaign.capsule
    language = delivery.person.language if delivery.person else capsule.language
    if language != capsule.language:
        translated = Capsule.objects.filter(
            slug=capsule.slug,
            version=capsule.version,
            language=language,
            organisation=capsule.organisation,
        ).first()
        if translated is not None:
            return translated
    return capsule


@dataclass(frozen=True)
class QuestionResult:
    question: str
    percent_correct: int | None


@dataclass(frozen=True)
class CampaignResults:
    sent: int
    readers: int
    quiz_takers: int
    average_score: float | None
    questions: list[QuestionResult]
    suppressed: bool
    automated_visits: int
    # People who opened the email, only where opens are tracked per recipient;
    # otherwise the number of opens counted without knowing who.
    openers: int | None = None
    aggregate_opens: int = 0


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the results read of a quiz attempt (plain values: a campaign can hold
    100,000 attempts, and building as many model instances costs seconds)."""

    delivery_id: int
    answers: list[int]
    score: int
    total: int
    reading_seconds: int | None


def first_attempts(attempts: QuerySet[QuizAttempt]) -> list[Attempt]:
    """Each reader's first quiz attempt: the score kept is the one given before seeing
    the explanations, so that a retry measures nothing twice."""
    first: dict[int, Attempt] = {}
    rows = attempts.order_by("completed_at", "pk").values_list(
        "delivery_id", "answers", "score", "total", "reading_seconds"
    )
    for row in rows:
        first.setdefault(row[0], Attempt(*row))
    return list(first.values())


def first_attempt(delivery: Delivery) -> QuizAttempt | None:
    """The attempt kept for a reader's link."""
    return delivery.quiz_attempts.order_by("completed_at", "pk").first()


def campaign_attempts(campaign: AwarenessCampaign) -> list[Attempt]:
    """The first attempt of each reader of the campaign (test sends left out)."""
    return first_attempts(
        QuizAttempt.objects.filter(delivery__mailing=campaign.mailing, delivery__is_test=False)
    )


def results(campaign: AwarenessCampaign, attempts: list[Attempt] | None = None) -> CampaignResults:
    """`attempts`: the campaign's first attempts when the caller already read them."""
    threshold = campaign.organisation.anonymity_threshold
    deliveries = Delivery.objects.filter(mailing=campaign.mailing, is_test=False)
    sent = deliveries.filter(status=DeliveryStatus.SENT).count()
    events = ReadingEvent.objects.filter(delivery__in=deliveries)
    readers = (
        events.filter(kind=EventKind.PAGE_VIEWED, automated=False)
        .values("delivery")
        .distinct()
        .count()
    )
    automated = events.filter(automated=True).count()
    if attempts is None:
        attempts = campaign_attempts(campaign)
    suppressed = len(attempts) < threshold
    questions = []
    quiz = campaign.capsule.quiz
    for index, question in enumerate(quiz):
        if suppressed:
            percent = None
        else:
            right = sum(
                1
                for a in attempts
                if index < len(a.answers)
                and a.answers[index] is not None
                and quiz[index]["choices"][a.answers[index]].get("correct") is True
            )
            # Among the readers who were asked this question (questions can be per role).
            asked = sum(
                1 for a in attempts if index < len(a.answers) and a.answers[index] is not None
            )
            # A question for one role may have fewer askers than the threshold: hidden too.
            percent = round(100 * right / asked) if asked >= max(threshold, 1) else None
        questions.append(QuestionResult(question["question"], percent))
    average = (
        round(sum(a.score / a.total for a in attempts) / len(attempts) * 100, 1)
        if attempts and not suppressed
        else None
    )
    openers = None
    if campaign.organisation.track_individual_opens:
        openers = (
            OpenEvent.objects.filter(delivery__in=deliveries, automated=False)
            .values("delivery")
            .distinct()
            .count()
        )
    return CampaignResults(
        openers=openers,
        aggregate_opens=campaign.aggregate_opens,
        sent=sent,
        readers=readers,
        quiz_takers=len(attempts),
        average_score=average,
        questions=questions,
        suppressed=suppressed,
        automated_visits=automated,
    )


# The signing salt of the campaign-wide open pixel's key.
OPEN_SALT = "awareness.aggregate-open"


def campaign_from_open_key(key: str) -> int | None:
    """The campaign a campaign-wide pixel's signed key stands for (None if forged)."""
    try:
        value = signing.Signer(salt=OPEN_SALT).unsign(key)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
