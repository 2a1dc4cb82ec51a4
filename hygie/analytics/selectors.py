"""The organisation's progress across campaigns and its most frequent errors.

Aggregates only, built on each campaign's own results (so every figure here is
the one its campaign page shows), with the anonymity threshold applied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hygie.accounts.models import Organisation
from hygie.awareness import selectors as awareness
from hygie.awareness.models import QuizAttempt
from hygie.phishing import selectors as phishing
from hygie.phishing.models import SimulationResult, Stage
from hygie.phishing.services import scenario_of


@dataclass(frozen=True)
class AwarenessPoint:
    name: str
    campaign_id: int
    sent: int
    read_percent: float | None
    average_score: float | None


@dataclass(frozen=True)
class SimulationPoint:
    name: str
    campaign_id: int
    sent: int
    clicked_percent: float
    interval: tuple[float, float]
    reported_percent: float


@dataclass(frozen=True)
class MissedQuestion:
    capsule: str
    question: str
    wrong_percent: int
    answers: int


@dataclass(frozen=True)
class MissedClue:
    scenario: str
    clue: str
    people: int


def awareness_progress(organisation: Organisation) -> list[AwarenessPoint]:
    points = []
    for campaign in awareness.campaigns(organisation).order_by("created_at"):
        result = awareness.results(campaign)
        read = round(100 * result.readers / result.sent, 1) if result.sent else None
        points.append(
            AwarenessPoint(campaign.name, campaign.pk, result.sent, read, result.average_score)
        )
    return points


def simulation_progress(organisation: Organisation) -> list[SimulationPoint]:
    points = []
    for campaign in phishing.campaigns(organisation).order_by("created_at"):
        funnel = phishing.funnel(campaign)
        clicked, _submitted, reported = funnel.rates
        points.append(
            SimulationPoint(
                campaign.name,
                campaign.pk,
                funnel.sent,
                clicked.percent,
                clicked.interval,
                reported.percent,
            )
        )
    return points


def most_missed_questions(organisation: Organisation, limit: int = 5) -> list[MissedQuestion]:
    """Quiz questions answered wrongly most often (latest attempt per reader), k applied."""
    threshold = organisation.anonymity_threshold
    attempts = awareness.latest_attempts(
        QuizAttempt.objects.filter(delivery__organisation=organisation, delivery__is_test=False)
    )
    wrong: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    for attempt in attempts:
        for question, chosen in zip(attempt.capsule.quiz, attempt.answers, strict=False):
            key = (attempt.capsule.title, question["question"])
            total[key] += 1
            if question["choices"][chosen].get("correct") is not True:
                wrong[key] += 1
    rows = [
        MissedQuestion(capsule, question, round(100 * wrong[(capsule, question)] / count), count)
        for (capsule, question), count in total.items()
        if count >= threshold
    ]
    rows.sort(key=lambda row: (-row.wrong_percent, -row.answers))
    return rows[:limit]


def most_missed_clues(organisation: Organisation, limit: int = 5) -> list[MissedClue]:
    """The red flags of the scenarios people clicked most (people, not robots), k applied."""
    threshold = organisation.anonymity_threshold
    counts: Counter[tuple[str, str]] = Counter()
    results = SimulationResult.objects.filter(
        campaign__organisation=organisation, stage__gte=Stage.CLICKED
    ).select_related("delivery__variant", "delivery__mailing__simulation")
    scenarios: dict[int, object] = {}
    for result in results:
        variant_id = result.delivery.variant_id
        if variant_id not in scenarios:
            scenarios[variant_id] = scenario_of(result.delivery)
        scenario = scenarios[variant_id]
        for flag in scenario.data.get("red_flags", []):  # type: ignore[attr-defined]
            counts[(scenario.title, flag["anchor"])] += 1  # type: ignore[attr-defined]
    rows = [MissedClue(s, c, n) for (s, c), n in counts.items() if n >= threshold]
    rows.sort(key=lambda row: -row.people)
    return rows[:limit]
