"""Quizzes that measure a reflex rather than a knack for spotting the right answer.

Two halves: the balance rules a capsule's quiz must obey (checked by the schema, so
by the file loader and the console editor alike), and the order in which one reader
sees the choices. The order is shuffled per reader but stable for that reader's link:
it is derived from the delivery token and the question's id, so reloading the page
or coming back a week later shows the same order, while a colleague sees another.

Answers are always recorded as the index of the choice in the capsule's own order,
so figures per question never depend on what order anyone saw.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MIN_CHOICES = 3
MAX_CHOICES = 4


def question_id(question: dict[str, Any], index: int) -> str:
    """A question's id: its own `id` when the file gives one, else its position."""
    return str(question.get("id") or f"q{index + 1}")


def correct_positions(question: dict[str, Any]) -> list[int]:
    return [i for i, c in enumerate(question.get("choices") or []) if c.get("correct") is True]


def _right_and_other_lengths(question: dict[str, Any]) -> tuple[int, list[int]] | None:
    choices = question.get("choices") or []
    right = correct_positions(question)
    if len(right) != 1 or len(choices) < 2:
        return None
    lengths = [len(str(c.get("text", ""))) for c in choices]
    return lengths[right[0]], [n for i, n in enumerate(lengths) if i != right[0]]


def correct_is_longest(question: dict[str, Any]) -> bool:
    """True when the right choice is strictly the longest one: a cue a guesser can use."""
    found = _right_and_other_lengths(question)
    return found is not None and all(found[0] > n for n in found[1])


def correct_is_shortest(question: dict[str, Any]) -> bool:
    """True when the right choice is strictly the shortest one: the opposite cue."""
    found = _right_and_other_lengths(question)
    return found is not None and all(found[0] < n for n in found[1])


def balance_problems(quiz: list[dict[str, Any]]) -> list[str]:
    """What lets a reader pass the quiz without reading: each problem in words.

    A quiz fails when a question has fewer than three choices or not exactly one right
    one, when more than half of its right answers sit in the same position, or when
    more than half of them are the longest choice, or the shortest.
    """
    found = []
    positions: list[int] = []
    longest = shortest = 0
    for number, question in enumerate(quiz, start=1):
        choices = question.get("choices") or []
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            found.append(
                _("question %(n)s needs %(min)s to %(max)s choices (it has %(count)s)")
                % {"n": number, "min": MIN_CHOICES, "max": MAX_CHOICES, "count": len(choices)}
            )
        right = correct_positions(question)
        if len(right) > 1:
            found.append(_("question %(n)s has more than one right answer") % {"n": number})
        if len(right) == 1:
            positions.append(right[0])
            longest += correct_is_longest(question)
            shortest += correct_is_shortest(question)
    if not positions:
        return found
    limit = len(quiz) / 2
    for position in sorted(set(positions)):
        if positions.count(position) > limit:
            found.append(
                _(
                    "the right answer is choice %(letter)s in %(count)s questions out of "
                    "%(total)s: spread the right answers over the positions"
                )
                % {
                    "letter": "ABCD"[position],
                    "count": positions.count(position),
                    "total": len(quiz),
                }
            )
    if longest > limit:
        found.append(
            _(
                "the right answer is the longest choice in %(count)s questions out of "
                "%(total)s: make the wrong choices as detailed as the right one"
            )
            % {"count": longest, "total": len(quiz)}
        )
    if shortest > limit:
        found.append(
            _(
                "the right answer is the shortest choice in %(count)s questions out of "
                "%(total)s: vary the length of the right answers"
            )
            % {"count": shortest, "total": len(quiz)}
        )
    return found


def choice_order(token: str, question: dict[str, Any], index: int) -> list[int]:
    """The order (indices into the question's choices) in which this reader sees them."""
    seed = hashlib.sha256(f"{token}:{question_id(question, index)}".encode()).digest()
    order = list(range(len(question.get("choices") or [])))
    random.Random(seed).shuffle(order)  # noqa: S311 - an order, not a secret
    return order


@dataclass(frozen=True)
class ShownChoice:
    value: int  # the index in the capsule's own order, which the form posts back
    text: str


@dataclass(frozen=True)
class ShownQuestion:
    index: int
    text: str
    choices: list[ShownChoice]


def shuffled(
    quiz: list[dict[str, Any]], token: str, indices: list[int] | None = None
) -> list[ShownQuestion]:
    """The quiz as this reader sees it (only the questions at `indices`, when given)."""
    asked = set(range(len(quiz)) if indices is None else indices)
    return [
        ShownQuestion(
            index=index,
            text=question["question"],
            choices=[
                ShownChoice(value=n, text=question["choices"][n]["text"])
                for n in choice_order(token, question, index)
            ],
        )
        for index, question in enumerate(quiz)
        if index in asked
    ]


@dataclass(frozen=True)
class QuizStatistics:
    questions: int
    choices: dict[int, int]  # number of choices -> number of questions
    correct_position: dict[str, int]  # letter -> number of questions
    correct_longest: int
    correct_shortest: int = 0

    @property
    def longest_share(self) -> float:
        return self.correct_longest / self.questions if self.questions else 0.0

    @property
    def shortest_share(self) -> float:
        return self.correct_shortest / self.questions if self.questions else 0.0


def statistics(quizzes: list[list[dict[str, Any]]]) -> QuizStatistics:
    """Figures over many quizzes (the whole library, say), as shipped in the files."""
    questions = [q for quiz in quizzes for q in quiz]
    choices: dict[int, int] = {}
    positions = dict.fromkeys("ABCD", 0)
    for question in questions:
        count = len(question.get("choices") or [])
        choices[count] = choices.get(count, 0) + 1
        for right in correct_positions(question)[:1]:
            positions["ABCD"[right]] += 1
    return QuizStatistics(
        questions=len(questions),
        choices=dict(sorted(choices.items())),
        correct_position=positions,
        correct_longest=sum(correct_is_longest(q) for q in questions),
        correct_shortest=sum(correct_is_shortest(q) for q in questions),
    )
