"""The programme's figures for one year, read from the roll-ups, anonymity threshold applied.

Every rate carries its sample size and a 95 % Wilson interval; automated hits are
already left out by the roll-ups. A group of fewer than k people is never shown.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from hygie.accounts.models import Organisation
from hygie.audience.selectors import attribute_label
from hygie.incidents.content import load_tree
from hygie.incidents.models import IncidentReport
from hygie.lib.small_cells import CellState, suppress
from hygie.library.themes import THEMES
from hygie.phishing.models import FlagPlace, SimulationCampaign, Technique
from hygie.phishing.selectors import (
    ClueErrors,
    clue_errors_of,
    clue_tallies,
    merge_clue_tallies,
)

from . import rollups
from .models import BreakdownRollup, CampaignKind, CampaignRollup, Dimension, YearRollup
from .stats import Rate

OUTCOMES = ("ignored", "reported", "clicked", "submitted")


def technique_label(code: str) -> str:
    """A scenario's technique (kept as its code in the roll-ups) in the reader's language."""
    return str(Technique(code).label) if code in Technique.values else code


@dataclass(frozen=True)
class ThemeRow:
    theme: str
    label: str
    campaigns: int
    sent: int
    read: Rate
    quiz_takers: int
    average_score: float | None  # None below k quiz takers


@dataclass(frozen=True)
class AwarenessRow:
    campaign_id: int
    name: str
    theme: str
    started_at: dt.datetime
    sent: int
    read: Rate
    quiz_takers: int
    average_score: float | None


@dataclass(frozen=True)
class SimulationRow:
    campaign_id: int
    name: str
    started_at: dt.datetime
    sent: int
    shown: bool  # False below k recipients
    clicked: Rate
    submitted: Rate
    reported: Rate
    automated_hits: int
    median_report_minutes: float | None
    # Reported without clicking, and the scenario's difficulty (1 obvious … 5 very
    # hard): a hard lure's click rate is not a regression.
    reported_only: Rate | None = None
    difficulty: int | None = None
    # People whose own open was seen (None: opens not tracked per person).
    opened: Rate | None = None


@dataclass(frozen=True)
class MissedQuestion:
    campaign: str
    question: str
    answers: int
    wrong: Rate


@dataclass(frozen=True)
class MissedFlag:
    technique: str
    difficulty: int
    scenario: str
    where: str
    anchor: str
    theme: str
    missed: Rate  # people who clicked, among those who received the scenario

    @property
    def technique_label(self) -> str:
        return technique_label(self.technique)

    @property
    def where_label(self) -> str:
        """Where the flag is (kept as its code in the roll-ups), in the reader's language."""
        return str(FlagPlace(self.where).label) if self.where in FlagPlace.values else self.where


@dataclass(frozen=True)
class TechniqueRow:
    technique: str
    difficulty: int
    clicked: Rate

    @property
    def technique_label(self) -> str:
        return technique_label(self.technique)


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int
    state: CellState


@dataclass(frozen=True)
class Transition:
    first: str
    latest: str
    count: int
    state: CellState


@dataclass(frozen=True)
class Programme:
    year: int
    years: list[int]
    threshold: int
    awareness_count: int
    simulation_count: int
    people_reached: int
    themes: list[ThemeRow]
    awareness: list[AwarenessRow]
    simulations: list[SimulationRow]
    transitions: list[Transition]
    transition_people: int
    questions: list[MissedQuestion]
    flags: list[MissedFlag]
    techniques: list[TechniqueRow]
    incidents: list[CountRow]
    incidents_total: int
    computed_at: dt.datetime | None
    # Launched campaigns the totals leave out (cancelled, or nothing sent).
    left_out: int = 0
    # Report-first figures of the year (counted simulations together).
    reported: Rate | None = None
    reported_only: Rate | None = None
    # People who clicked in two simulations of the year or more (None below k).
    repeat_clickers: int | None = None
    clue_errors: ClueErrors | None = None


def years(organisation: Organisation) -> list[int]:
    found = set(
        CampaignRollup.objects.filter(organisation=organisation).values_list("year", flat=True)
    )
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def default_year(organisation: Organisation, today: dt.date | None = None) -> int:
    """The year a page opens on: this year once it has a campaign; before that (in early
    January, say) the latest year that has one, rather than an empty page."""
    today = today or timezone.localdate()
    rollups.refresh(organisation, stale_too=False)
    latest = (
        CampaignRollup.objects.filter(organisation=organisation, year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest if latest is not None else today.year


def report_default_year(organisation: Organisation, today: dt.date | None = None) -> int:
    """The annual report is usually asked for a finished year: in its first quarter, the
    previous year when it has campaigns."""
    today = today or timezone.localdate()
    year = default_year(organisation, today)
    previous = CampaignRollup.objects.filter(organisation=organisation, year=today.year - 1)
    if today.month <= 3 and year == today.year and previous.exists():
        return today.year - 1
    return year


def year_rollups(organisation: Organisation, year: int) -> list[CampaignRollup]:
    """The year's campaigns that totals count: those that sent at least one message
    and were not cancelled (COUNTING_RULE, shown on the pages)."""
    return counted_rollups(organisation, year)[0]


def counted_rollups(organisation: Organisation, year: int) -> tuple[list[CampaignRollup], int]:
    """The counted roll-ups of the year, and how many launched campaigns were left out."""
    rollups.refresh(organisation, stale_too=False)
    cancelled = rollups.cancelled_campaigns(organisation)
    found = list(CampaignRollup.objects.filter(organisation=organisation, year=year))
    counted = [r for r in found if r.sent > 0 and (r.kind, r.campaign_id) not in cancelled]
    return counted, len(found) - len(counted)


def _average(score_sum: float, takers: int, threshold: int) -> float | None:
    return round(score_sum / takers, 1) if takers and takers >= threshold else None


def _themes(awareness: list[CampaignRollup], threshold: int) -> list[ThemeRow]:
    by_theme: dict[str, list[CampaignRollup]] = defaultdict(list)
    for rollup in awareness:
        by_theme[rollup.theme].append(rollup)
    rows = []
    for theme, group in by_theme.items():
        takers = sum(r.quiz_takers for r in group)
        rows.append(
            ThemeRow(
                theme=theme,
                label=str(THEMES.get(theme, theme)),
                campaigns=len(group),
                sent=sum(r.sent for r in group),
                read=Rate(sum(r.readers for r in group), sum(r.sent for r in group)),
                quiz_takers=takers,
                average_score=_average(sum(r.score_sum for r in group), takers, threshold),
            )
        )
    rows.sort(key=lambda row: row.label)
    return rows


def simulation_row(rollup: CampaignRollup, threshold: int) -> SimulationRow:
    median = rollup.report_seconds_median
    shown = rollup.sent >= threshold
    return SimulationRow(
        campaign_id=rollup.campaign_id,
        name=rollup.name,
        started_at=rollup.started_at,
        sent=rollup.sent,
        shown=shown,
        clicked=Rate(rollup.clicked, rollup.sent),
        submitted=Rate(rollup.submitted, rollup.sent),
        reported=Rate(rollup.reported, rollup.sent),
        automated_hits=rollup.automated_hits,
        # A median over fewer than k reporters would describe too few people.
        median_report_minutes=(
            round(median / 60, 1) if median is not None and rollup.reported >= threshold else None
        ),
        reported_only=Rate(rollup.reported_only, rollup.sent),
        difficulty=rollup.difficulty,
        opened=Rate(rollup.opened, rollup.sent) if rollup.opened is not None else None,
    )


def _questions(awareness: list[CampaignRollup], threshold: int, limit: int) -> list[MissedQuestion]:
    rows = [
        MissedQuestion(rollup.name, question, answers, Rate(wrong, answers))
        for rollup in awareness
        for question, answers, wrong in rollup.errors
        if answers >= threshold
    ]
    rows.sort(key=lambda row: (-(row.wrong.percent or 0), -row.answers, row.question))
    return rows[:limit]


def _flags(simulations: list[CampaignRollup], threshold: int) -> list[MissedFlag]:
    received: Counter[tuple[str, int, str, str, str, str]] = Counter()
    clicked: Counter[tuple[str, int, str, str, str, str]] = Counter()
    for rollup in simulations:
        for flag in rollup.errors:
            key = (
                flag["technique"],
                flag["difficulty"],
                flag["scenario"],
                flag["where"],
                flag["anchor"],
                flag["theme"],
            )
            received[key] += flag["received"]
            clicked[key] += flag["clicked"]
    rows = [
        MissedFlag(*key, missed=Rate(clicked[key], n))
        for key, n in received.items()
        if n >= threshold and clicked[key]
    ]
    rows.sort(key=lambda row: (-(row.missed.percent or 0), -row.missed.count, row.anchor))
    return rows


def _techniques(simulations: list[CampaignRollup], threshold: int) -> list[TechniqueRow]:
    received: Counter[tuple[str, int]] = Counter()
    clicked: Counter[tuple[str, int]] = Counter()
    for rollup in simulations:
        seen = set()
        for flag in rollup.errors:
            scenario_key = (flag["scenario"], flag["technique"], flag["difficulty"])
            if scenario_key in seen:
                continue  # one scenario has several flags: count its people once
            seen.add(scenario_key)
            received[(flag["technique"], flag["difficulty"])] += flag["received"]
            clicked[(flag["technique"], flag["difficulty"])] += flag["clicked"]
    rows = [
        TechniqueRow(technique, difficulty, Rate(clicked[(technique, difficulty)], n))
        for (technique, difficulty), n in received.items()
        if n >= threshold
    ]
    rows.sort(key=lambda row: (-(row.clicked.percent or 0), row.technique, row.difficulty))
    return rows


def incidents_of_year(organisation: Organisation, year: int) -> tuple[list[CountRow], int]:
    """Incident situations reported in the year, most frequent first, k applied."""
    counts = list(
        IncidentReport.objects.filter(organisation=organisation, created_at__year=year)
        .values("outcome_id")
        .annotate(n=Count("pk"), title=Min("outcome_title"))
        .order_by("-n", "outcome_id")
    )
    tree = load_tree()
    labels = []
    for row in counts:
        live = tree.outcomes.get(row["outcome_id"])
        labels.append(str(live.title) if live is not None else row["title"])
    sizes = [row["n"] for row in counts]
    states = suppress(sizes, organisation.anonymity_threshold)
    rows = [
        CountRow(label, n, state) for label, n, state in zip(labels, sizes, states, strict=True)
    ]
    return rows, sum(sizes)


def _transitions(year_rollup: YearRollup | None, threshold: int) -> tuple[list[Transition], int]:
    data = year_rollup.transitions if year_rollup is not None else {}
    keys = [(first, latest) for first in OUTCOMES for latest in OUTCOMES]
    sizes = [int(data.get(f"{first}>{latest}", 0)) for first, latest in keys]
    states = suppress(sizes, threshold)
    rows = [
        Transition(first, latest, size, state)
        for (first, latest), size, state in zip(keys, sizes, states, strict=True)
        if size
    ]
    return rows, sum(sizes)


def programme(organisation: Organisation, year: int, *, limit: int = 10) -> Programme:
    threshold = organisation.anonymity_threshold
    found, left_out = counted_rollups(organisation, year)
    awareness = [r for r in found if r.kind == CampaignKind.AWARENESS]
    simulations = [r for r in found if r.kind == CampaignKind.SIMULATION]
    year_rollup = YearRollup.objects.filter(organisation=organisation, year=year).first()
    if year_rollup is None and found:
        year_rollup = rollups.compute_year(organisation, year)
    transitions, transition_people = _transitions(year_rollup, threshold)
    incidents, incidents_total = incidents_of_year(organisation, year)
    return Programme(
        year=year,
        years=years(organisation),
        threshold=threshold,
        awareness_count=len(awareness),
        simulation_count=len(simulations),
        people_reached=year_rollup.people_reached if year_rollup else 0,
        themes=_themes(awareness, threshold),
        awareness=[
            AwarenessRow(
                r.campaign_id,
                r.name,
                str(THEMES.get(r.theme, r.theme)),
                r.started_at,
                r.sent,
                Rate(r.readers, r.sent),
                r.quiz_takers,
                _average(r.score_sum, r.quiz_takers, threshold),
            )
            for r in awareness
        ],
        simulations=[simulation_row(r, threshold) for r in simulations],
        transitions=transitions,
        transition_people=transition_people,
        questions=_questions(awareness, threshold, limit),
        flags=_flags(simulations, threshold)[:limit],
        techniques=_techniques(simulations, threshold),
        incidents=incidents,
        incidents_total=incidents_total,
        computed_at=min((r.computed_at for r in found), default=None),
        left_out=left_out,
        reported=Rate(sum(r.reported for r in simulations), sum(r.sent for r in simulations)),
        reported_only=Rate(
            sum(r.reported_only for r in simulations), sum(r.sent for r in simulations)
        ),
        repeat_clickers=_repeat_clickers(year_rollup, threshold),
        clue_errors=_clue_errors(simulations, threshold),
    )


def _clue_errors(simulations: list[CampaignRollup], threshold: int) -> ClueErrors:
    """The year's per-clue figures from the roll-ups' clue counts (frozen with the
    campaign by the retention job); a roll-up computed before they were kept is counted
    from the answers themselves."""
    tallies = []
    for rollup in simulations:
        if rollup.clues is not None:
            tallies += rollup.clues
        else:
            tallies += clue_tallies(list(SimulationCampaign.objects.filter(pk=rollup.campaign_id)))
    return clue_errors_of(merge_clue_tallies(tallies), threshold)


def _repeat_clickers(year_rollup: YearRollup | None, threshold: int) -> int | None:
    """People who clicked in at least two of the year's simulations: a count, never
    names, and none below k."""
    repeat = year_rollup.repeat_clickers if year_rollup else 0
    return repeat if repeat == 0 or repeat >= threshold else None


# --- The year in a few figures, for the summary and the year-on-year chart ----------


@dataclass(frozen=True)
class YearFigures:
    """What the executive summary compares from one year to the next (counted
    campaigns only, robots excluded)."""

    year: int
    simulations: int
    awareness: int
    clicked: Rate
    reported: Rate
    reported_only: Rate
    # Each report's time to report (minutes) over the year; None when a roll-up of the
    # year was computed before they were kept.
    report_minutes: list[int] | None
    difficulty: float | None  # the lures' mean difficulty, weighted by people (1–5)
    quiz_takers: int
    score_sum: float

    @property
    def median_report_minutes(self) -> float | None:
        if not self.report_minutes:
            return None
        return float(statistics.median(self.report_minutes))

    @property
    def quiz_score(self) -> float | None:
        return round(self.score_sum / self.quiz_takers, 1) if self.quiz_takers else None


def year_figures(organisation: Organisation, year: int) -> YearFigures | None:
    """The year's summed figures, or None when no campaign of that year counts."""
    found, _left_out = counted_rollups(organisation, year)
    if not found:
        return None
    simulations = [r for r in found if r.kind == CampaignKind.SIMULATION]
    awareness = [r for r in found if r.kind == CampaignKind.AWARENESS]
    sent = sum(r.sent for r in simulations)
    rated = [r for r in simulations if r.difficulty is not None]
    weight = sum(r.sent for r in rated)
    minutes: list[int] | None = []
    for rollup in simulations:
        if rollup.report_minutes is None:
            minutes = None
            break
        minutes += rollup.report_minutes
    return YearFigures(
        year=year,
        simulations=len(simulations),
        awareness=len(awareness),
        clicked=Rate(sum(r.clicked for r in simulations), sent),
        reported=Rate(sum(r.reported for r in simulations), sent),
        reported_only=Rate(sum(r.reported_only for r in simulations), sent),
        report_minutes=sorted(minutes) if minutes is not None else None,
        difficulty=(
            round(sum((r.difficulty or 0) * r.sent for r in rated) / weight, 1) if weight else None
        ),
        quiz_takers=sum(r.quiz_takers for r in awareness),
        score_sum=sum(r.score_sum for r in awareness),
    )


def years_figures(organisation: Organisation, year: int, *, count: int = 5) -> list[YearFigures]:
    """The figures of `year` and of up to `count - 1` years before it that had a
    simulation, oldest first (the year-on-year chart)."""
    rollups.refresh(organisation, stale_too=False)
    earlier = sorted(
        set(
            CampaignRollup.objects.filter(
                organisation=organisation, kind=CampaignKind.SIMULATION, year__lte=year
            ).values_list("year", flat=True)
        )
    )[-count:]
    found = [year_figures(organisation, one) for one in earlier]
    return [figures for figures in found if figures is not None and figures.simulations]


# --- Breakdowns ------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    people: int
    state: CellState
    read: Rate
    average_score: float | None
    clicked: Rate
    submitted: Rate
    reported: Rate


@dataclass(frozen=True)
class Breakdown:
    rollup: CampaignRollup
    dimension: str
    rows: list[BreakdownRow]
    total: BreakdownRow | None  # None when the groups overlap (segments)
    suppressed: int


def value_label(dimension: str, value: str) -> str:
    """A group's stored value (a code) in the reader's language, labelled as everywhere
    else; "" when not given (the pages say so) and a segment's name as it is."""
    if not value or dimension == Dimension.SEGMENT:
        return value
    return attribute_label(dimension, value)


def _breakdown_row(label: str, row: BreakdownRollup, state: CellState, k: int) -> BreakdownRow:
    people = row.people
    return BreakdownRow(
        label=label,
        people=people,
        state=state,
        read=Rate(row.readers, people),
        average_score=_average(row.score_sum, row.quiz_takers, k),
        clicked=Rate(row.clicked, people),
        submitted=Rate(row.submitted, people),
        reported=Rate(row.reported, people),
    )


def breakdown(rollup: CampaignRollup, dimension: str) -> Breakdown:
    """One campaign's figures per group; groups under k hidden, and enough others
    withheld that the hidden ones cannot be worked out from the total."""
    threshold = rollup.organisation.anonymity_threshold
    cells = list(BreakdownRollup.objects.filter(rollup=rollup, dimension=dimension))
    cells.sort(key=lambda c: (-c.people, c.value))
    states = suppress([c.people for c in cells], threshold)
    rows = [
        _breakdown_row(value_label(dimension, c.value), c, state, threshold)
        for c, state in zip(cells, states, strict=True)
    ]
    total = None
    if dimension != Dimension.SEGMENT:
        summed = BreakdownRollup(
            people=sum(c.people for c in cells),
            readers=sum(c.readers for c in cells),
            quiz_takers=sum(c.quiz_takers for c in cells),
            score_sum=sum(c.score_sum for c in cells),
            clicked=sum(c.clicked for c in cells),
            submitted=sum(c.submitted for c in cells),
            reported=sum(c.reported for c in cells),
        )
        state: CellState = "shown" if summed.people >= threshold or not summed.people else "below"
        total = _breakdown_row("", summed, state, threshold)
    return Breakdown(
        rollup=rollup,
        dimension=dimension,
        rows=rows,
        total=total,
        suppressed=sum(1 for s in states if s != "shown"),
    )


# --- The console's home -------------------------------------------------------------


@dataclass(frozen=True)
class Glance:
    year: int
    awareness_count: int
    simulation_count: int
    people_reached: int
    latest_simulation: SimulationRow | None


def glance(organisation: Organisation, year: int | None = None) -> Glance:
    """The year at a glance for the console's home: counts and the latest simulation."""
    year = year or timezone.localdate().year
    found = year_rollups(organisation, year)
    simulations = [r for r in found if r.kind == CampaignKind.SIMULATION]
    year_rollup = YearRollup.objects.filter(organisation=organisation, year=year).first()
    return Glance(
        year=year,
        awareness_count=sum(1 for r in found if r.kind == CampaignKind.AWARENESS),
        simulation_count=len(simulations),
        people_reached=year_rollup.people_reached if year_rollup else 0,
        latest_simulation=(
            simulation_row(simulations[-1], organisation.anonymity_threshold)
            if simulations
            else None
        ),
    )
