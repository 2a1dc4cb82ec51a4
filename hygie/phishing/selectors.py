"""Simulation results: the funnel on people only, with 95 % confidence intervals,
the timing of clicks and reports, the red flags most often missed, and the hits."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.operations import snapshots
from hygie.phishing.detection import MACHINE_OPEN
from hygie.phishing.models import (
    UNKNOWN_CLUE,
    Assignment,
    ClueAnswer,
    ClueMoment,
    HitKind,
    KnownScanner,
    ScannerMatch,
    Scenario,
    ScenarioStatus,
    SimulationAnnouncement,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)


def available_scenarios(organisation: Organisation, language: str = "fr") -> QuerySet[Scenario]:
    """The latest version of each scenario: shipped ones and the organisation's own edits."""
    rows = Scenario.objects.filter(language=language).filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    latest: dict[str, int] = {}
    # Newest first; at equal version the organisation's own edit wins.
    # (NULLs placed explicitly: SQLite and PostgreSQL sort them at opposite ends.)
    order = ("slug", "-version", F("organisation_id").asc(nulls_last=True))
    for pk, slug in rows.order_by(*order).values_list("pk", "slug"):
        latest.setdefault(slug, pk)
    return Scenario.objects.filter(pk__in=latest.values()).order_by("difficulty", "title")


def launchable_scenarios(organisation: Organisation, language: str = "fr") -> QuerySet[Scenario]:
    """The scenarios a simulation may use: the latest version of each, once published."""
    return available_scenarios(organisation, language).filter(status=ScenarioStatus.PUBLISHED)


def visible_scenarios(organisation: Organisation) -> QuerySet[Scenario]:
    """Every version the organisation may open (shipped, or its own)."""
    return Scenario.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def campaigns(organisation: Organisation) -> QuerySet[SimulationCampaign]:
    return SimulationCampaign.objects.filter(organisation=organisation).select_related(
        "mailing", "segment"
    )


def announcement_recorded(organisation: Organisation) -> bool:
    """Whether the organisation recorded that its people were told simulations exist
    (no simulation is launched before)."""
    return SimulationAnnouncement.objects.filter(organisation=organisation).exists()


def _wilson_bounds(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (sound for small samples and 0 or 100 %)."""
    if total == 0:
        return (0.0, 0.0)
    p = successes / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    denominator = 1 + z * z / total
    return ((centre - margin) / denominator, (centre + margin) / denominator)


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval, in percent."""
    low, high = _wilson_bounds(successes, total, z)
    return (round(100 * low, 1), round(100 * high, 1))


def difference_interval(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """95 % interval of the difference of two rates (x1/n1 − x2/n2), in percentage points.

    Newcombe's hybrid score method, built from the two Wilson intervals: unlike the
    textbook normal approximation it stays sound with small groups and rates near 0.
    """
    p1, p2 = x1 / n1, x2 / n2
    low1, high1 = _wilson_bounds(x1, n1)
    low2, high2 = _wilson_bounds(x2, n2)
    lower = p1 - p2 - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    upper = p1 - p2 + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return (round(100 * lower, 1), round(100 * upper, 1))


@dataclass(frozen=True)
class Rate:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.total)


@dataclass(frozen=True)
class Arm:
    """One scenario of an A/B test."""

    title: str
    clicked: Rate
    submitted: Rate


@dataclass(frozen=True)
class Difference:
    """First arm's rate minus the second's, in percentage points, with its interval."""

    label: str  # "clicked" or "submitted"
    points: float
    interval: tuple[float, float]

    @property
    def clear(self) -> bool:
        """The interval leaves out zero: the difference is unlikely to be chance."""
        return self.interval[0] > 0 or self.interval[1] < 0


@dataclass(frozen=True)
class Comparison:
    arms: tuple[Arm, Arm]
    differences: list[Difference]


def compare(arms: tuple[Arm, Arm]) -> Comparison:
    first, second = arms
    differences = []
    for label in ("clicked", "submitted"):
        one, two = getattr(first, label), getattr(second, label)
        differences.append(
            Difference(
                label,
                round(one.percent - two.percent, 1),
                difference_interval(one.count, one.total, two.count, two.total),
            )
        )
    return Comparison(arms, differences)


@dataclass(frozen=True)
class Funnel:
    sent: int
    rates: list[Rate]
    automated_hits: int
    by_scenario: list[tuple[str, int, int, int]]  # key, sent, clicked, submitted
    suppressed_scenarios: int
    # Opens per person (None where the organisation does not track them per person).
    opened: Rate | None = None
    anonymous_opens: int = 0
    # Clicks with a person confirmed by the page: the lower bound of the click rate.
    confirmed_clicks: Rate | None = None
    uncertain_hits: int = 0
    # The best outcome: reported without clicking.
    reported_only: Rate | None = None
    # An A/B test's two scenarios side by side (None otherwise, or below the threshold).
    comparison: Comparison | None = None
    # Messages whose image a machine fetched on delivery (Apple Mail Privacy
    # Protection): shown apart, never as a person's open.
    machine_opens: int = 0


GROUP_COLUMNS = {
    "profession": "delivery__person__profession",
    "specialty": "delivery__person__specialty",
    "departement": "delivery__person__departement",
}


@dataclass(frozen=True)
class Group:
    """Sent messages sharing a scenario, a step reached and the recipient's attributes."""

    variant: str
    stage: int
    reported: bool
    confirmed: bool
    people: dict[str, str]  # profession, specialty, département ("" when not known)
    n: int
    automated: int
    uncertain: int

    @property
    def clicked(self) -> bool:
        return self.stage >= Stage.CLICKED

    @property
    def submitted(self) -> bool:
        return self.stage >= Stage.SUBMITTED


def groups(campaign: SimulationCampaign) -> list[Group]:
    """The campaign's sent summaries counted in one grouped query: every figure of the
    results page except the timings is a sum over these rows (one per combination of
    scenario, step and recipient attributes: thousands at most, not one per person)."""
    rows = (
        SimulationResult.objects.filter(campaign=campaign, delivery__status=DeliveryStatus.SENT)
        .values(
            "delivery__variant__key",
            "stage",
            "confirmed",
            *GROUP_COLUMNS.values(),
            reported=ExpressionWrapper(Q(reported_at__isnull=False), output_field=BooleanField()),
        )
        .annotate(n=Count("pk"), automated=Sum("automated_hits"), uncertain=Sum("uncertain_hits"))
        .order_by()
    )
    return [
        Group(
            variant=row["delivery__variant__key"],
            stage=row["stage"],
            reported=bool(row["reported"]),
            confirmed=row["confirmed"],
            people={name: row[column] or "" for name, column in GROUP_COLUMNS.items()},
            n=row["n"],
            automated=row["automated"] or 0,
            uncertain=row["uncertain"] or 0,
        )
        for row in rows
    ]


@dataclass
class _Count:
    n: int = 0
    clicked: int = 0
    submitted: int = 0
    reported: int = 0


def _by(found: list[Group], key: Callable[[Group], str]) -> dict[str, _Count]:
    counts: dict[str, _Count] = defaultdict(_Count)
    for group in found:
        count = counts[key(group)]
        count.n += group.n
        count.clicked += group.n if group.clicked else 0
        count.submitted += group.n if group.submitted else 0
        count.reported += group.n if group.reported else 0
    return counts


def funnel(campaign: SimulationCampaign, found: list[Group] | None = None) -> Funnel:
    """The funnel from the per-delivery summaries (never the raw events)."""
    found = groups(campaign) if found is None else found

    def people(test: Callable[[Group], bool]) -> int:
        return sum(g.n for g in found if test(g))

    sent = people(lambda g: True)
    threshold = campaign.organisation.anonymity_threshold
    titles = {f"s{s.pk}": s.title for s in campaign.scenarios.all()}
    by_scenario = []
    arms = []
    suppressed = 0
    for key, count in sorted(_by(found, lambda g: g.variant).items()):
        if count.n < threshold:
            suppressed += 1
            continue
        title = titles.get(key, "?")
        by_scenario.append((title, count.n, count.clicked, count.submitted))
        arms.append(
            Arm(
                title,
                Rate("clicked", count.clicked, count.n),
                Rate("submitted", count.submitted, count.n),
            )
        )
    ab_test = campaign.assignment == Assignment.AB_TEST and len(arms) == 2 and not suppressed
    return Funnel(
        sent=sent,
        rates=[
            Rate("clicked", people(lambda g: g.clicked), sent),
            Rate("submitted", people(lambda g: g.submitted), sent),
            Rate("reported", people(lambda g: g.reported), sent),
        ],
        automated_hits=sum(g.automated for g in found),
        by_scenario=by_scenario,
        suppressed_scenarios=suppressed,
        opened=Rate("opened", people(lambda g: g.stage >= Stage.OPENED), sent)
        if campaign.organisation.track_individual_opens
        else None,
        anonymous_opens=campaign.anonymous_opens,
        confirmed_clicks=Rate("confirmed", people(lambda g: g.clicked and g.confirmed), sent),
        uncertain_hits=sum(g.uncertain for g in found),
        reported_only=Rate("reported_only", people(lambda g: g.reported and not g.clicked), sent),
        comparison=compare((arms[0], arms[1])) if ab_test else None,
        machine_opens=machine_opens(campaign)
        if campaign.organisation.track_individual_opens
        else 0,
    )


def machine_opens(campaign: SimulationCampaign) -> int:
    """Messages whose open image only a machine fetched (Apple Mail Privacy Protection)."""
    return (
        SimulationEvent.objects.filter(
            delivery__mailing_id=campaign.mailing_id,
            kind=HitKind.OPEN,
            verdict=Verdict.AUTOMATED,
            reasons__icontains=MACHINE_OPEN,
            # Only a machine: a person's open or click afterwards counts as theirs.
            delivery__simulation_result__stage=Stage.SENT,
        )
        .values("delivery_id")
        .distinct()
        .count()
    )


# --- Timing --------------------------------------------------------------------

BUCKETS: list[tuple[timedelta | None, Promise]] = [
    (timedelta(minutes=5), _("under 5 min")),
    (timedelta(minutes=15), _("5 to 15 min")),
    (timedelta(hours=1), _("15 min to 1 h")),
    (timedelta(hours=4), _("1 to 4 h")),
    (timedelta(days=1), _("4 to 24 h")),
    (timedelta(days=3), _("1 to 3 days")),
    (None, _("over 3 days")),
]


@dataclass(frozen=True)
class Distribution:
    total: int
    buckets: list[tuple[Promise, int, float]]  # label, people, percent
    median_minutes: int | None
    suppressed: bool


def distribution(campaign: SimulationCampaign, field: str) -> Distribution:
    """How long after delivery people clicked (`clicked_at`) or reported (`reported_at`).

    Only the moments of people who did it are read (never the whole campaign), and
    the figure is withheld below the anonymity threshold."""
    rows = SimulationResult.objects.filter(
        campaign=campaign, delivery__status=DeliveryStatus.SENT, **{f"{field}__isnull": False}
    ).values_list("delivery__sent_at", field)
    delays = [moment - sent for sent, moment in rows if sent is not None and moment >= sent]
    threshold = campaign.organisation.anonymity_threshold
    if not delays or len(delays) < threshold:
        return Distribution(len(delays), [], None, bool(delays))
    counts = [0] * len(BUCKETS)
    for delay in delays:
        for index, (limit, _label) in enumerate(BUCKETS):
            if limit is None or delay < limit:
                counts[index] += 1
                break
    total = len(delays)
    median = statistics.median(d.total_seconds() for d in delays)
    return Distribution(
        total,
        [
            (label, n, round(100 * n / total, 1))
            for (_limit, label), n in zip(BUCKETS, counts, strict=True)
        ],
        round(median / 60),
        False,
    )


# --- Red flags -----------------------------------------------------------------


@dataclass(frozen=True)
class MissedFlag:
    scenario: str
    anchor: str
    explanation: str
    people: int
    percent: float  # of the people who received that scenario


def missed_flags(
    campaign: SimulationCampaign, limit: int = 10, found: list[Group] | None = None
) -> list[MissedFlag]:
    """The red flags people went past: a flag in the message was missed by whoever
    clicked; a flag on the landing page by whoever submitted the form. Robots are
    not people (the summaries already leave them out); k applies to each row."""
    threshold = campaign.organisation.anonymity_threshold
    counts = _by(groups(campaign) if found is None else found, lambda g: g.variant)
    rows = []
    for scenario in campaign.scenarios.all():
        count = counts.get(f"s{scenario.pk}")
        if count is None:
            continue
        for flag in scenario.data.get("red_flags", []):
            people = count.submitted if flag["where"] == "landing" else count.clicked
            if people and people >= threshold:
                rows.append(
                    MissedFlag(
                        scenario.title,
                        flag["anchor"],
                        flag["explanation"],
                        people,
                        round(100 * people / count.n, 1),
                    )
                )
    rows.sort(key=lambda r: (-r.percent, -r.people))
    return rows[:limit]


# --- Individual lists and hits -------------------------------------------------

OUTCOMES: dict[str, Q] = {
    "clicked": Q(stage__gte=Stage.CLICKED),
    "submitted": Q(stage__gte=Stage.SUBMITTED),
    "reported": Q(reported_at__isnull=False),
}


def people(campaign: SimulationCampaign, outcome: str) -> QuerySet[SimulationResult]:
    """Named people by outcome: only for the individual-results right (audited by the view)."""
    timeline = SimulationEvent.objects.exclude(kind=HitKind.PRESENCE).order_by("at", "pk")
    return (
        SimulationResult.objects.filter(campaign=campaign)
        .filter(OUTCOMES[outcome])
        .select_related("delivery__person__practice")
        # Each person's timeline, robots included (with their verdict), in one query a page.
        .prefetch_related(Prefetch("delivery__simulation_events", queryset=timeline))
        .order_by("delivery__person__last_name", "delivery__person__first_name", "pk")
    )


def hits(campaign: SimulationCampaign, verdict: str = "") -> QuerySet[SimulationEvent]:
    """The campaign's event log without who it concerns (reviewing needs no name)."""
    events = SimulationEvent.objects.filter(
        delivery__mailing_id=campaign.mailing_id, delivery__is_test=False
    ).exclude(kind=HitKind.PRESENCE)
    if verdict:
        events = events.filter(
            Q(reviewed_verdict=verdict) | Q(reviewed_verdict="", verdict=verdict)
        )
    return events.order_by("-at", "-pk")


# --- By group of people --------------------------------------------------------

GROUPS: dict[str, Promise] = {
    "profession": _("Profession"),
    "specialty": _("Specialty"),
    "departement": _("Département"),
}


@dataclass(frozen=True)
class GroupRow:
    name: str
    sent: int
    clicked: Rate
    reported: Rate


@dataclass(frozen=True)
class Breakdown:
    rows: list[GroupRow]
    suppressed: int  # groups below the anonymity threshold, not shown


def breakdown(
    campaign: SimulationCampaign, group: str, found: list[Group] | None = None
) -> Breakdown:
    """Click and report rates per group of people; a group smaller than the anonymity
    threshold is left out (and counted as such)."""
    if group not in GROUPS:
        raise ValueError(group)
    threshold = campaign.organisation.anonymity_threshold
    counts = _by(groups(campaign) if found is None else found, lambda g: g.people[group])
    rows, suppressed = [], 0
    for value, count in sorted(counts.items(), key=lambda item: (not item[0], item[0])):
        if count.n < threshold:
            suppressed += 1
            continue
        rows.append(
            GroupRow(
                value or "—",
                count.n,
                Rate("clicked", count.clicked, count.n),
                Rate("reported", count.reported, count.n),
            )
        )
    return Breakdown(rows, suppressed)


# --- The results page ------------------------------------------------------------


@dataclass(frozen=True)
class ResultsFigures:
    funnel: Funnel
    to_click: Distribution
    to_report: Distribution
    missed: list[MissedFlag]
    breakdowns: dict[str, Breakdown]  # by group (GROUPS): switching group reads no more
    # The clues people picked after a click or a report (None in figures kept before).
    errors: ClueErrors | None = None


def results_figures(campaign_id: int, *settings: object) -> ResultsFigures:
    """Every figure of a campaign's results page (kept between views by the snapshots).

    `settings` are the organisation's settings that change the figures (anonymity
    threshold, per-person opens), so that changing one gives new figures at once."""
    campaign = SimulationCampaign.objects.select_related("organisation").get(pk=campaign_id)
    found = groups(campaign)
    return ResultsFigures(
        funnel=funnel(campaign, found),
        to_click=distribution(campaign, "clicked_at"),
        to_report=distribution(campaign, "reported_at"),
        missed=missed_flags(campaign, found=found),
        breakdowns={group: breakdown(campaign, group, found) for group in GROUPS},
        errors=clue_errors([campaign], campaign.organisation.anonymity_threshold),
    )


def results_arguments(campaign: SimulationCampaign) -> tuple[object, ...]:
    organisation = campaign.organisation
    return (
        campaign.pk,
        organisation.anonymity_threshold,
        int(organisation.track_individual_opens),
    )


def prepare_results_figures(now: datetime | None = None) -> int:
    """Due-work source: queue the first figures of recent simulations' results pages."""
    now = now or timezone.now()
    recent = SimulationCampaign.objects.filter(
        mailing__launched_at__gte=now - snapshots.PREPARE_FOR
    ).select_related("organisation")
    return snapshots.prepare("simulation_results", [results_arguments(c) for c in recent], now=now)


# --- The errors people really make ---------------------------------------------


@dataclass(frozen=True)
class ClueError:
    """One clue of a scenario: how often people who clicked said it should have
    alerted them (missed), and how often people who reported said it did (noticed).
    A rate is None where fewer than k people answered or picked it (small cell)."""

    scenario: str
    difficulty: int
    number: int
    anchor: str
    where: str
    missed: Rate | None
    noticed: Rate | None


@dataclass(frozen=True)
class ClueErrors:
    rows: list[ClueError]
    clicked_answers: int  # people who answered after a click
    reported_answers: int
    unknown: Rate | None  # "je ne sais pas" among those who answered after a click
    suppressed: int  # clues whose figures are hidden on both sides


def _shown(count: int, total: int, threshold: int) -> Rate | None:
    if total < threshold or 0 < count < threshold:
        return None
    return Rate("clue", count, total)


def clue_tallies(campaigns: Sequence[SimulationCampaign]) -> list[dict[str, Any]]:
    """The counts behind the per-clue figures, one entry per scenario that has answers:
    {key, scenario, difficulty, flags: [{anchor, where}], clicked, reported (people who
    answered at each moment), missed, noticed ({clue number: people who picked it}),
    unknown}. Counts only, no one's answer: they can be kept (and summed) once the
    answers themselves are gone."""
    answers = ClueAnswer.objects.filter(
        delivery__mailing_id__in=[c.mailing_id for c in campaigns]
    ).values_list("delivery__variant__key", "moment", "clues")
    picked: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    answered: Counter[tuple[str, str]] = Counter()
    for key, moment, clues in answers:
        answered[(key, moment)] += 1
        picked[(key, moment)].update(clues)
    scenarios = {f"s{s.pk}": s for campaign in campaigns for s in campaign.scenarios.all()}
    tallies = []
    for key, scenario in sorted(scenarios.items()):
        clicked = answered[(key, ClueMoment.CLICKED)]
        reported = answered[(key, ClueMoment.REPORTED)]
        if not clicked and not reported:
            continue
        tallies.append(
            {
                "key": key,
                "scenario": scenario.title,
                "difficulty": scenario.difficulty,
                "flags": [
                    {"anchor": flag["anchor"], "where": flag["where"]}
                    for flag in scenario.data.get("red_flags", [])
                ],
                "clicked": clicked,
                "reported": reported,
                "missed": dict(picked[(key, ClueMoment.CLICKED)]),
                "noticed": dict(picked[(key, ClueMoment.REPORTED)]),
                "unknown": picked[(key, ClueMoment.CLICKED)][UNKNOWN_CLUE],
            }
        )
    return tallies


def merge_clue_tallies(tallies: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tallies of several campaigns summed per scenario (one scenario sent twice in a
    year counts its people together)."""
    merged: dict[str, dict[str, Any]] = {}
    for tally in tallies:
        into = merged.get(tally["key"])
        if into is None:
            merged[tally["key"]] = {
                **tally,
                "missed": dict(tally["missed"]),
                "noticed": dict(tally["noticed"]),
            }
            continue
        for name in ("clicked", "reported", "unknown"):
            into[name] += tally[name]
        for name in ("missed", "noticed"):
            for clue, count in tally[name].items():
                into[name][clue] = into[name].get(clue, 0) + count
    return [merged[key] for key in sorted(merged)]


def clue_errors_of(tallies: Sequence[dict[str, Any]], threshold: int) -> ClueErrors:
    """Per-clue missed and noticed rates from tallies (`clue_tallies`), k applied."""
    rows, suppressed = [], 0
    for tally in tallies:
        clicked, reported = tally["clicked"], tally["reported"]
        for number, flag in enumerate(tally["flags"], start=1):
            missed = _shown(tally["missed"].get(str(number), 0), clicked, threshold)
            noticed = _shown(tally["noticed"].get(str(number), 0), reported, threshold)
            if missed is None and noticed is None:
                suppressed += 1
                continue
            rows.append(
                ClueError(
                    tally["scenario"],
                    tally["difficulty"],
                    number,
                    flag["anchor"],
                    flag["where"],
                    missed,
                    noticed,
                )
            )
    rows.sort(key=lambda r: (-(r.missed.percent if r.missed else -1), r.scenario, r.number))
    clicked_total = sum(t["clicked"] for t in tallies)
    return ClueErrors(
        rows=rows,
        clicked_answers=clicked_total,
        reported_answers=sum(t["reported"] for t in tallies),
        unknown=_shown(sum(t["unknown"] for t in tallies), clicked_total, threshold),
        suppressed=suppressed,
    )


def clue_errors(campaigns: Sequence[SimulationCampaign], threshold: int) -> ClueErrors:
    """Per-clue missed and noticed rates from the optional taps of the people who
    clicked and of those who reported, over `campaigns` (one, or a year's)."""
    return clue_errors_of(clue_tallies(campaigns), threshold)


# --- Scanner knowledge ---------------------------------------------------------


@dataclass(frozen=True)
class ShippedFamily:
    label: str
    description: str
    note: str
    kind: str
    networks: int
    agents: int
    sources: list[str]
    reviewed: date


def shipped_scanners() -> list[ShippedFamily]:
    """The shipped scanner knowledge by family, for staff to see what is on by default."""
    english = (get_language() or "fr").startswith("en")
    families: dict[str, list[KnownScanner]] = defaultdict(list)
    for row in KnownScanner.objects.order_by("label", "match", "value"):
        families[row.family].append(row)
    return [
        ShippedFamily(
            label=rows[0].label_en if english else rows[0].label,
            description=rows[0].description_en if english else rows[0].description,
            note=rows[0].note_en if english else rows[0].note,
            kind=rows[0].get_kind_display(),
            networks=sum(r.match == ScannerMatch.NETWORK for r in rows),
            agents=sum(r.match != ScannerMatch.NETWORK for r in rows),
            sources=rows[0].sources,
            reviewed=rows[0].reviewed,
        )
        for rows in sorted(families.values(), key=lambda rows: rows[0].label)
    ]


def scenario_of(delivery: Delivery) -> Scenario:
    """The scenario of the delivery's variant. Scenario rows never change (an edit is a
    new version, a new row), so each process keeps the ones it has read: a click
    needs no query for it."""
    pk = int(delivery.variant.key.removeprefix("s"))
    scenario = _SCENARIOS.get(pk)
    if scenario is None:
        scenario = delivery.mailing.simulation.scenarios.get(pk=pk)
        if len(_SCENARIOS) >= SCENARIOS_KEPT:
            _SCENARIOS.clear()
        _SCENARIOS[pk] = scenario
    return scenario


def forget_scenarios() -> None:
    """Empty this process's scenarios (tests, whose rolled-back rows reuse keys)."""
    _SCENARIOS.clear()


# Scenarios read by this process, by primary key (a few hundred at most in practice).
_SCENARIOS: dict[int, Scenario] = {}
SCENARIOS_KEPT = 500
