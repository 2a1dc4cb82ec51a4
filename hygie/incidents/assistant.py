"""The assistant's logic, as pure functions: walking the tree and computing deadlines.

Paths
-----
A visitor's position is the list of choices made since the start page, written in URLs as a
compact path of dot-separated tokens, for example ``"1.2.0"``:

- a number ``n`` is the n-th answer (from 0) of the question reached so far; the first number
  answers the start question;
- the first token may instead be ``"u<k>"``: the k-th urgent shortcut of the start page.

So ``"0"`` is the first answer of the start question, ``"u1.0"`` the first answer of the
question the second urgent shortcut leads to. Numbers have no leading zeros, so one position
has exactly one path. A path that does not exist raises `InvalidPath`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hygie.incidents.content import Answer, Condition, Obligation, Outcome, Question, Tree
from hygie.lib.dates import months_after

PARIS = ZoneInfo("Europe/Paris")
URGENT_PREFIX = "u"
SEPARATOR = "."
MAX_PATH_LENGTH = 200  # characters; the deepest path of a sane tree is far shorter

_INDEX = r"(?:0|[1-9][0-9]{0,2})"
_TOKEN = re.compile(_INDEX)
_URGENT_TOKEN = re.compile(URGENT_PREFIX + _INDEX)


class InvalidPath(ValueError):
    """The path is malformed or leads nowhere in the tree."""


# --- Paths ---------------------------------------------------------------------------


def parse_path(text: str) -> list[str]:
    """The tokens of a path from a URL ("" is the start page); raises `InvalidPath`."""
    if not text:
        return []
    if len(text) > MAX_PATH_LENGTH:
        raise InvalidPath("path too long")
    tokens = text.split(SEPARATOR)
    _check_tokens(tokens)
    return tokens


def format_path(answers: Sequence[str]) -> str:
    return SEPARATOR.join(answers)


def _check_tokens(answers: Sequence[str]) -> None:
    for position, token in enumerate(answers):
        if _TOKEN.fullmatch(token):
            continue
        if position == 0 and _URGENT_TOKEN.fullmatch(token):
            continue
        raise InvalidPath(f"malformed choice {token!r} at position {position + 1}")


def _choice(tree: Tree, node: Question | None, token: str) -> Answer:
    """The answer chosen by `token` at `node` (None: the start page, where shortcuts live)."""
    if token.startswith(URGENT_PREFIX):
        options: Sequence[Answer] = tree.urgent
        index = int(token[len(URGENT_PREFIX) :])
    else:
        options = (node or tree.start_question).answers
        index = int(token)
    if index >= len(options):
        raise InvalidPath(f"no choice {token!r} here")
    return options[index]


@dataclass(frozen=True, slots=True)
class Visit:
    """One choice already made: where it was made, what was chosen, the path before it."""

    question: Question | None  # None for an urgent shortcut of the start page
    answer: Answer
    path_before: tuple[str, ...]


def walk(tree: Tree, answers: Sequence[str]) -> tuple[list[Visit], Question | Outcome]:
    """Follow `answers` from the start: the choices made, and the step they lead to."""
    _check_tokens(answers)
    visits: list[Visit] = []
    node: Question | Outcome = tree.start_question
    for position, token in enumerate(answers):
        if isinstance(node, Outcome):
            raise InvalidPath("the path goes on after an outcome")
        shortcut = token.startswith(URGENT_PREFIX)
        answer = _choice(tree, None if shortcut else node, token)
        visits.append(
            Visit(
                question=None if shortcut else node,
                answer=answer,
                path_before=tuple(answers[:position]),
            )
        )
        node = tree.target(answer)
    return visits, node


def next_step(tree: Tree, answers: Sequence[str]) -> Question | Outcome:
    """The question to ask, or the outcome to show, after the choices `answers`."""
    return walk(tree, answers)[1]


@dataclass(frozen=True, slots=True)
class Choice:
    """An answer offered at a step, with the path it leads to."""

    answer: Answer
    path: tuple[str, ...]

    @property
    def leads_to_outcome(self) -> bool:
        return self.answer.target_kind == "outcome"


def choices(question: Question, answers: Sequence[str]) -> list[Choice]:
    """The answers of `question` (reached by `answers`), each with its own path."""
    base = tuple(answers)
    return [Choice(answer, (*base, str(index))) for index, answer in enumerate(question.answers)]


def urgent_choices(tree: Tree) -> list[Choice]:
    return [Choice(answer, (f"{URGENT_PREFIX}{i}",)) for i, answer in enumerate(tree.urgent)]


def outcome_paths(tree: Tree) -> Iterator[tuple[tuple[str, ...], Outcome]]:
    """Every path from the start page (answers and urgent shortcuts) to an outcome.

    The tree is validated acyclic, so this terminates.
    """
    pending: list[tuple[str, ...]] = [choice.path for choice in urgent_choices(tree)]
    pending += [choice.path for choice in choices(tree.start_question, [])]
    while pending:
        path = pending.pop()
        step = next_step(tree, path)
        if isinstance(step, Outcome):
            yield path, step
        else:
            pending += [choice.path for choice in choices(step, path)]


# --- Which duties apply ------------------------------------------------------------
#
# A legal duty is shown as due, with a date, only when the answers establish every condition
# it requires (the practice holds the data, personal data are involved, a risk is likely…).
# A condition the answers contradict makes it "not required, because …"; a condition they
# leave open makes it "to check": its rule is stated, never a date. So an outcome reached
# without knowing what happened (a catch-all) cannot show a duty as due.

REQUIRED = "required"
TO_CHECK = "to_check"
NOT_REQUIRED = "not_required"


def established_facts(visits: Sequence[Visit], outcome: Outcome) -> dict[str, bool]:
    """What the outcome and the answers on the way establish; an answer overrides the outcome."""
    facts = dict(outcome.facts)
    for visit in visits:
        facts.update(visit.answer.facts)
    return facts


@dataclass(frozen=True, slots=True)
class Assessment:
    """An obligation of the outcome, and whether the answers make it due."""

    obligation: Obligation
    status: str  # REQUIRED, TO_CHECK or NOT_REQUIRED
    unmet: tuple[Condition, ...]  # contradicted by the answers: why it is not required
    open: tuple[Condition, ...]  # not established either way: what to check

    @property
    def required(self) -> bool:
        return self.status == REQUIRED


def assess(obligations: Iterable[Obligation], facts: dict[str, bool]) -> list[Assessment]:
    found: list[Assessment] = []
    for obligation in obligations:
        unmet = tuple(c for c in obligation.requires if facts.get(c.id) is False)
        still_open = tuple(c for c in obligation.requires if c.id not in facts)
        if unmet:
            status = NOT_REQUIRED
        elif still_open:
            status = TO_CHECK
        else:
            status = REQUIRED
        found.append(Assessment(obligation, status, unmet, still_open))
    return found


def assess_outcome(visits: Sequence[Visit], outcome: Outcome) -> list[Assessment]:
    return assess(outcome.obligations, established_facts(visits, outcome))


def due_obligations(visits: Sequence[Visit], outcome: Outcome) -> list[Obligation]:
    """The outcome's obligations that the answers make due."""
    return [a.obligation for a in assess_outcome(visits, outcome) if a.required]


# --- Deadlines -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """An obligation and the moment it is due (None: "as soon as possible", no date)."""

    obligation: Obligation
    due: dt.datetime | None


def deadlines(
    obligations: Iterable[Obligation],
    discovered_at: dt.datetime,
    zone: ZoneInfo = PARIS,
) -> list[Deadline]:
    """When each obligation is due, counted from the discovery, as aware times in `zone`.

    - ``hours``: real elapsed time (72 h are 72 h even across a change of daylight saving
      time, so the wall-clock time may move by an hour);
    - ``days``: the same wall-clock time, N calendar days later in `zone`;
    - ``business_days``: the same wall-clock time, N weekdays later: Saturdays and Sundays are
      skipped. French public holidays are NOT taken into account, so around a holiday the
      date shown is one day early — on the safe side for a deadline;
    - ``months``: the same wall-clock time, N calendar months later (a day the month lacks
      becomes its last day: 31 January + 1 month is 28 or 29 February);
    - ``asap``: no date.

    A wall-clock time that does not exist that day (the spring-forward hour) moves forward by
    the gap (02:30 becomes 03:30); an ambiguous one (the autumn hour that happens twice) is
    taken at its first occurrence, the earlier and safer moment.
    """
    if discovered_at.tzinfo is None or discovered_at.utcoffset() is None:
        raise ValueError("discovered_at must be an aware datetime")
    local = discovered_at.astimezone(zone)
    found: list[Deadline] = []
    for obligation in obligations:
        rule = obligation.deadline
        due: dt.datetime | None
        if rule.unit == "asap" or rule.amount is None:
            due = None
        elif rule.unit == "hours":
            utc = discovered_at.astimezone(dt.UTC) + dt.timedelta(hours=rule.amount)
            due = utc.astimezone(zone)
        elif rule.unit == "days":
            due = _at_wall_time(local.date() + dt.timedelta(days=rule.amount), local, zone)
        elif rule.unit == "months":
            due = _at_wall_time(months_after(local, rule.amount).date(), local, zone)
        else:
            due = _at_wall_time(_add_business_days(local.date(), rule.amount), local, zone)
        found.append(Deadline(obligation=obligation, due=due))
    return found


def _add_business_days(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:  # Monday to Friday
            count -= 1
    return day


def _at_wall_time(day: dt.date, clock: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`day` at the wall-clock time of `clock`, in `zone`, normalised through UTC."""
    wall = dt.datetime.combine(day, clock.time().replace(fold=0), tzinfo=zone)
    return wall.astimezone(dt.UTC).astimezone(zone)
