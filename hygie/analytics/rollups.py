"""Computing the roll-ups from the events (the only module that reads raw events).

Each campaign's figures are computed with the same rules as its own results page
(robots excluded, each reader's latest quiz attempt, the simulation summaries),
once per refresh, in one pass over its deliveries; the dashboard then reads a few
rows. A frozen roll-up (its events no longer linked to people) is never recomputed.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.audience.selectors import segment_people
from hygie.awareness.models import AwarenessCampaign, EventKind, QuizAttempt, ReadingEvent
from hygie.delivery.models import Delivery, DeliveryStatus, MailingStatus
from hygie.phishing.models import SimulationCampaign, SimulationResult, Stage
from hygie.phishing.selectors import clue_tallies
from hygie.reporting.models import Report

from .models import BreakdownRollup, CampaignKind, CampaignRollup, Dimension, YearRollup

PARIS = ZoneInfo("Europe/Paris")
# A campaign's figures still move while people read and click: its roll-up is
# recomputed when older than this during its first months, then once a day.
FRESH_FOR = timedelta(minutes=10)
ACTIVE_FOR = timedelta(days=120)
SETTLED_FRESH_FOR = timedelta(days=1)


def year_of(moment: datetime) -> int:
    return moment.astimezone(PARIS).year


def started_at(campaign: AwarenessCampaign | SimulationCampaign) -> datetime:
    return campaign.mailing.launched_at or campaign.created_at


@dataclass
class _Tally:
    people: int = 0
    readers: int = 0
    quiz_takers: int = 0
    score_sum: float = 0.0
    clicked: int = 0
    submitted: int = 0
    reported: int = 0


@dataclass
class _Breakdown:
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=lambda: defaultdict(_Tally))

    def add(self, keys: Iterable[tuple[str, str]], **counts: float) -> None:
        for key in keys:
            tally = self.tallies[key]
            tally.people += 1
            for name, value in counts.items():
                setattr(tally, name, getattr(tally, name) + value)


def _segments(organisation: Organisation) -> list[tuple[str, set[int]]]:
    """Each segment's current members (a breakdown by segment counts today's membership)."""
    return [
        (segment.name, set(segment_people(segment).values_list("pk", flat=True)))
        for segment in Segment.objects.filter(organisation=organisation).order_by("name")
    ]


def _group_keys(
    person: tuple[int | None, str | None, str | None, str | None],
    segments: list[tuple[str, set[int]]],
) -> list[tuple[str, str]]:
    person_id, departement, specialty, profession = person
    if person_id is None:  # an anonymised delivery belongs to no group
        return []
    keys = [
        (Dimension.DEPARTEMENT.value, departement or ""),
        (Dimension.SPECIALTY.value, specialty or ""),
        (Dimension.PROFESSION.value, profession or ""),
    ]
    keys += [(Dimension.SEGMENT.value, name) for name, members in segments if person_id in members]
    return keys


PERSON_FIELDS = ("person_id", "person__departement", "person__specialty", "person__profession")


def _first_attempts(deliveries: QuerySet[Delivery]) -> dict[int, tuple[list[int], int, int]]:
    """Each delivery's first attempt (answers, score, total): the score kept is the one
    given before the explanations were seen."""
    first: dict[int, tuple[list[int], int, int]] = {}
    for delivery_id, answers, score, total in (
        QuizAttempt.objects.filter(delivery__in=deliveries)
        .order_by("completed_at", "pk")
        .values_list("delivery_id", "answers", "score", "total")
    ):
        first.setdefault(delivery_id, (answers, score, total))
    return first


def compute_awareness(
    campaign: AwarenessCampaign, segments: list[tuple[str, set[int]]] | None = None
) -> CampaignRollup:
    organisation = campaign.organisation
    segments = _segments(organisation) if segments is None else segments
    deliveries = Delivery.objects.filter(mailing=campaign.mailing, is_test=False)
    sent_rows = list(
        deliveries.filter(status=DeliveryStatus.SENT).values_list("pk", *PERSON_FIELDS)
    )
    readers = set(
        ReadingEvent.objects.filter(
            delivery__in=deliveries, kind=EventKind.PAGE_VIEWED, automated=False
        ).values_list("delivery_id", flat=True)
    )
    automated = ReadingEvent.objects.filter(delivery__in=deliveries, automated=True).count()
    attempts = _first_attempts(deliveries)
    quiz = campaign.capsule.quiz
    answered: Counter[int] = Counter()
    wrong: Counter[int] = Counter()
    score_sum = 0.0
    for answers, score, total in attempts.values():
        score_sum += 100 * score / total
        for index, chosen in enumerate(answers):
            # None: a question the reader's role was not asked.
            if index < len(quiz) and chosen is not None:
                answered[index] += 1
                if quiz[index]["choices"][chosen].get("correct") is not True:
                    wrong[index] += 1
    breakdown = _Breakdown()
    for pk, *person in sent_rows:
        attempt = attempts.get(pk)
        breakdown.add(
            _group_keys(tuple(person), segments),
            readers=1 if pk in readers else 0,
            quiz_takers=1 if attempt else 0,
            score_sum=100 * attempt[1] / attempt[2] if attempt else 0,
        )
    rollup = CampaignRollup(
        organisation=organisation,
        kind=CampaignKind.AWARENESS,
        campaign_id=campaign.pk,
        name=campaign.name,
        theme=campaign.capsule.theme,
        started_at=started_at(campaign),
        year=year_of(started_at(campaign)),
        sent=len(sent_rows),
        # As on the campaign's page: readers of any delivery of the campaign.
        readers=len(readers),
        quiz_takers=len(attempts),
        score_sum=score_sum,
        automated_hits=automated,
        errors=[
            [question["question"], answered[index], wrong[index]]
            for index, question in enumerate(quiz)
        ],
    )
    return _save(rollup, breakdown)


def compute_simulation(
    campaign: SimulationCampaign, segments: list[tuple[str, set[int]]] | None = None
) -> CampaignRollup:
    organisation = campaign.organisation
    segments = _segments(organisation) if segments is None else segments
    rows = SimulationResult.objects.filter(
        campaign=campaign, delivery__status=DeliveryStatus.SENT
    ).values_list(
        "stage",
        "reported_at",
        "automated_hits",
        "delivery__sent_at",
        "delivery__variant__key",
        "delivery_id",
        *(f"delivery__{name}" for name in PERSON_FIELDS),
    )
    originals = original_dates(campaign)
    scenarios = {f"s{s.pk}": s for s in campaign.scenarios.all()}
    received: Counter[str] = Counter()
    clicked_by_variant: Counter[str] = Counter()
    totals = _Tally()
    automated = 0
    report_seconds: list[float] = []
    breakdown = _Breakdown()
    reported_only = 0
    opened = 0
    for stage, reported_at, hits, sent_at, key, delivery_id, *person in rows:
        opened += stage >= Stage.OPENED
        clicked = stage >= Stage.CLICKED
        submitted = stage >= Stage.SUBMITTED
        reported = reported_at is not None
        totals.people += 1
        totals.clicked += clicked
        totals.submitted += submitted
        totals.reported += reported
        automated += hits
        received[key] += 1
        clicked_by_variant[key] += clicked
        reported_only += reported and not clicked
        # From the original message's Date when the forwarded copy carried it (when
        # the person had it in hand), else from our sending.
        start = originals.get(delivery_id) or sent_at
        if reported and start is not None:
            report_seconds.append(max(0.0, (reported_at - start).total_seconds()))
        breakdown.add(
            _group_keys(tuple(person), segments),
            clicked=int(clicked),
            submitted=int(submitted),
            reported=int(reported),
        )
    errors = []
    for key, scenario in sorted(scenarios.items()):
        for flag in scenario.data.get("red_flags", []):
            errors.append(
                {
                    "scenario": scenario.title,
                    "technique": scenario.technique,
                    "difficulty": scenario.difficulty,
                    "theme": scenario.theme,
                    "where": flag.get("where", ""),
                    "anchor": flag.get("anchor", ""),
                    "received": received[key],
                    "clicked": clicked_by_variant[key],
                }
            )
    themes = Counter(scenario.theme for scenario in scenarios.values())
    rollup = CampaignRollup(
        organisation=organisation,
        kind=CampaignKind.SIMULATION,
        campaign_id=campaign.pk,
        name=campaign.name,
        theme=themes.most_common(1)[0][0] if themes else "",
        started_at=started_at(campaign),
        year=year_of(started_at(campaign)),
        sent=totals.people,
        clicked=totals.clicked,
        submitted=totals.submitted,
        reported=totals.reported,
        automated_hits=automated,
        report_seconds_median=statistics.median(report_seconds) if report_seconds else None,
        reported_only=reported_only,
        difficulty=max((s.difficulty for s in scenarios.values()), default=None),
        errors=errors,
        opened=opened if organisation.track_individual_opens else None,
        report_minutes=sorted(round(seconds / 60) for seconds in report_seconds),
        clues=clue_tallies([campaign]),
    )
    return _save(rollup, breakdown)


def original_dates(campaign: SimulationCampaign) -> dict[int, datetime]:
    """The Date of the original message, by delivery, where a forwarded report
    carried it (the earliest when several reports did)."""
    found: dict[int, datetime] = {}
    for delivery_id, moment in (
        Report.objects.filter(
            delivery__mailing_id=campaign.mailing_id, original_sent_at__isnull=False
        )
        .order_by("original_sent_at")
        .values_list("delivery_id", "original_sent_at")
    ):
        if delivery_id is not None and moment is not None:
            found.setdefault(delivery_id, moment)
    return found


def _insert(rollup: CampaignRollup) -> bool:
    """Insert a new roll-up; False when the same campaign's was inserted meanwhile."""
    try:
        with transaction.atomic():
            rollup.save()
    except IntegrityError:
        return False
    return True


@transaction.atomic
def _save(rollup: CampaignRollup, breakdown: _Breakdown) -> CampaignRollup:
    existing = CampaignRollup.objects.filter(kind=rollup.kind, campaign_id=rollup.campaign_id)
    if existing.filter(frozen_at__isnull=False).exists():
        # Its events are no longer linked to people: the frozen figures are the true ones.
        return existing.get()
    existing.delete()
    rollup.computed_at = timezone.now()
    if not _insert(rollup):
        # Another scheduler (or a dashboard) computed the same missing roll-up at the
        # same moment and saved it first: the same figures from the same events, so
        # theirs stand and this process goes on.
        return existing.get()
    BreakdownRollup.objects.bulk_create(
        BreakdownRollup(
            rollup=rollup,
            dimension=dimension,
            value=value[:200],
            people=tally.people,
            readers=tally.readers,
            quiz_takers=tally.quiz_takers,
            score_sum=tally.score_sum,
            clicked=tally.clicked,
            submitted=tally.submitted,
            reported=tally.reported,
        )
        for (dimension, value), tally in breakdown.tallies.items()
    )
    return rollup


# --- Years ---------------------------------------------------------------------


def outcome_of(stage: int, reported: bool) -> str:
    """What a person did with one simulation, the most telling first."""
    if stage >= Stage.SUBMITTED:
        return "submitted"
    if stage >= Stage.CLICKED:
        return "clicked"
    if reported:
        return "reported"
    return "ignored"


def mailings_of_year(organisation: Organisation, year: int) -> tuple[list[int], list[int]]:
    """The mailings the year's totals count: cancelled campaigns are left out (see
    `cancelled_campaigns`); one that never sent adds no delivery anyway."""
    awareness = [
        c.mailing_id
        for c in AwarenessCampaign.objects.filter(organisation=organisation)
        .exclude(mailing__status=MailingStatus.CANCELLED)
        .select_related("mailing")
        if year_of(started_at(c)) == year
    ]
    simulations = [
        c.mailing_id
        for c in SimulationCampaign.objects.filter(organisation=organisation)
        .exclude(mailing__status=MailingStatus.CANCELLED)
        .select_related("mailing")
        if year_of(started_at(c)) == year
    ]
    return awareness, simulations


def cancelled_campaigns(organisation: Organisation) -> set[tuple[str, int]]:
    """(kind, id) of the organisation's cancelled campaigns. Totals count what
    happened: a campaign counts once it sent a message and unless it was cancelled."""
    found = {
        (CampaignKind.AWARENESS.value, pk)
        for pk in AwarenessCampaign.objects.filter(
            organisation=organisation, mailing__status=MailingStatus.CANCELLED
        ).values_list("pk", flat=True)
    }
    found |= {
        (CampaignKind.SIMULATION.value, pk)
        for pk in SimulationCampaign.objects.filter(
            organisation=organisation, mailing__status=MailingStatus.CANCELLED
        ).values_list("pk", flat=True)
    }
    return found


def linked_deliveries(mailings: list[int]) -> QuerySet[Delivery]:
    """Sent messages of these mailings still linked to a person (not yet anonymised)."""
    return Delivery.objects.filter(
        mailing_id__in=mailings,
        is_test=False,
        status=DeliveryStatus.SENT,
        person__isnull=False,
    )


def transitions_of(simulation_mailings: list[int]) -> dict[str, int]:
    """Same people across simulations: first outcome > latest outcome, for people with >= 2."""
    histories: dict[int, list[str]] = defaultdict(list)
    for person_id, stage, reported_at in (
        SimulationResult.objects.filter(
            delivery__mailing_id__in=simulation_mailings,
            delivery__status=DeliveryStatus.SENT,
            delivery__person__isnull=False,
        )
        .order_by("delivery__mailing__launched_at", "campaign_id")
        .values_list("delivery__person_id", "stage", "reported_at")
        .iterator(chunk_size=5000)
    ):
        histories[person_id].append(outcome_of(stage, reported_at is not None))
    return dict(
        Counter(
            f"{history[0]}>{history[-1]}" for history in histories.values() if len(history) >= 2
        )
    )


def repeat_clickers_of(simulation_mailings: list[int]) -> int:
    """People who clicked in at least two of these simulations."""
    clicks = Counter(
        SimulationResult.objects.filter(
            delivery__mailing_id__in=simulation_mailings,
            delivery__status=DeliveryStatus.SENT,
            stage__gte=Stage.CLICKED,
            delivery__person_id__isnull=False,
        )
        .values_list("delivery__person_id", flat=True)
        .order_by()
    )
    return sum(1 for times in clicks.values() if times >= 2)


def compute_year(organisation: Organisation, year: int) -> YearRollup:
    row, _created = YearRollup.objects.get_or_create(organisation=organisation, year=year)
    awareness, simulations = mailings_of_year(organisation, year)
    linked = linked_deliveries(awareness + simulations).values("person_id").distinct().count()
    row.people_reached = linked + row.anonymised_reach
    if row.transitions_frozen_at is None:
        row.transitions = transitions_of(simulations)
        row.repeat_clickers = repeat_clickers_of(simulations)
    row.computed_at = timezone.now()
    row.save()
    return row


# --- Refreshing -----------------------------------------------------------------


def _campaigns(organisation: Organisation) -> list[AwarenessCampaign | SimulationCampaign]:
    found: list[AwarenessCampaign | SimulationCampaign] = []
    found += AwarenessCampaign.objects.filter(
        organisation=organisation, mailing__launched_at__isnull=False
    ).select_related("mailing", "capsule", "organisation")
    found += SimulationCampaign.objects.filter(
        organisation=organisation, mailing__launched_at__isnull=False
    ).select_related("mailing", "organisation")
    return found


def _nothing_missing(organisation: Organisation, rows: QuerySet[CampaignRollup]) -> bool:
    have = set(rows.values_list("kind", "campaign_id"))
    launched = {
        (CampaignKind.AWARENESS.value, pk)
        for pk in AwarenessCampaign.objects.filter(
            organisation=organisation, mailing__launched_at__isnull=False
        ).values_list("pk", flat=True)
    }
    launched |= {
        (CampaignKind.SIMULATION.value, pk)
        for pk in SimulationCampaign.objects.filter(
            organisation=organisation, mailing__launched_at__isnull=False
        ).values_list("pk", flat=True)
    }
    return launched <= have


def compute(
    campaign: AwarenessCampaign | SimulationCampaign,
    segments: list[tuple[str, set[int]]] | None = None,
) -> CampaignRollup:
    if isinstance(campaign, AwarenessCampaign):
        return compute_awareness(campaign, segments)
    return compute_simulation(campaign, segments)


def kind_of(campaign: AwarenessCampaign | SimulationCampaign) -> str:
    if isinstance(campaign, AwarenessCampaign):
        return CampaignKind.AWARENESS
    return CampaignKind.SIMULATION


def is_stale(rollup: CampaignRollup, now: datetime) -> bool:
    if rollup.frozen_at is not None:
        return False
    fresh_for = FRESH_FOR if now - rollup.started_at < ACTIVE_FOR else SETTLED_FRESH_FOR
    return rollup.computed_at < now - fresh_for


def refresh(
    organisation: Organisation,
    *,
    stale_too: bool,
    now: datetime | None = None,
    everything: bool = False,
) -> int:
    """Compute the missing roll-ups (with `stale_too` the stale ones as well, with
    `everything` all that are not frozen). Returns how many.

    The dashboard calls it for the missing ones only (a launched campaign shows up at
    once); the scheduler's due-work source refreshes the stale ones.
    """
    now = now or timezone.now()
    rows = CampaignRollup.objects.filter(organisation=organisation)
    if not (stale_too or everything) and _nothing_missing(organisation, rows):
        return 0  # the usual case for a page: a few ids compared, nothing loaded
    existing = {(r.kind, r.campaign_id): r for r in rows.defer("errors")}
    todo = []
    for campaign in _campaigns(organisation):
        rollup = existing.get((kind_of(campaign), campaign.pk))
        wanted = rollup is None or (
            rollup.frozen_at is None and (everything or (stale_too and is_stale(rollup, now)))
        )
        if wanted:
            todo.append((campaign, rollup))
    if not todo:
        return 0
    segments = _segments(organisation)
    years = set()
    done = 0
    for campaign, rollup in todo:
        if rollup is not None:
            # Claimed by a conditional update: a second scheduler finds nothing to do.
            claimed = CampaignRollup.objects.filter(
                pk=rollup.pk, computed_at=rollup.computed_at, frozen_at__isnull=True
            ).update(computed_at=now)
            if not claimed:
                continue
        years.add(year_of(started_at(campaign)))
        compute(campaign, segments)
        done += 1
    for year in years:
        compute_year(organisation, year)
    return done


def refresh_due() -> int:
    """Due-work source: refresh the stale roll-ups of every organisation."""
    now = timezone.now()
    stale = (
        CampaignRollup.objects.filter(frozen_at__isnull=True)
        .filter(
            Q(started_at__gte=now - ACTIVE_FOR, computed_at__lt=now - FRESH_FOR)
            | Q(started_at__lt=now - ACTIVE_FOR, computed_at__lt=now - SETTLED_FRESH_FOR)
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    done = 0
    for organisation in Organisation.objects.filter(pk__in=list(stale)):
        done += refresh(organisation, stale_too=True, now=now)
    return done
