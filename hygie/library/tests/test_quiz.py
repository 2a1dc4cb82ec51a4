"""Quizzes measure a reflex: no two-choice question, no position or length cue, and each
reader sees the choices in an order of their own that stays put for their link."""

from __future__ import annotations

import copy

import pytest

from hygie.library.content import capsule_files, parse
from hygie.library.quiz import balance_problems, choice_order, shuffled, statistics
from hygie.library.schema import field_problems


def choice(text: str, correct: bool = False) -> dict[str, object]:
    return {"text": text, "correct": correct, "explanation": "Parce que."}


def question(right_at: int, texts: tuple[str, ...] = ("Un", "Deux", "Trois")) -> dict:
    return {
        "question": "Que faites-vous ?",
        "choices": [choice(t, i == right_at) for i, t in enumerate(texts)],
    }


def test_a_balanced_quiz_passes():
    quiz = [question(0), question(1), question(2), question(1)]
    assert balance_problems(quiz) == []


def test_a_two_choice_question_fails():
    quiz = [question(0), question(1), question(1, ("Oui", "Non"))]
    assert any("question 3 needs 3 to 4 choices" in p for p in balance_problems(quiz))


def test_right_answers_mostly_in_one_position_fail():
    quiz = [question(0), question(0), question(0), question(2)]
    assert any("choice A in 3 questions out of 4" in p for p in balance_problems(quiz))


def test_right_answers_mostly_the_longest_fail():
    texts = ("Une réponse bien plus détaillée", "Court", "Bref")
    quiz = [question(0, texts), question(1, texts[::-1]), question(2, ("a", "b", "c plus long"))]
    quiz[1]["choices"][1]["text"] = "La plus longue et détaillée de toutes"
    assert any("longest choice in 3 questions out of 3" in p for p in balance_problems(quiz))


def test_right_answers_mostly_the_shortest_fail():
    quiz = [
        question(0, ("Non", "Une réponse plus longue", "Une autre réponse longue")),
        question(1, ("Une réponse plus longue", "Oui", "Une autre réponse longue")),
        question(2, ("Une réponse plus longue", "Une autre réponse longue", "Rien")),
    ]
    assert any("shortest choice in 3 questions out of 3" in p for p in balance_problems(quiz))


def test_more_than_one_right_answer_fails():
    quiz = [question(0), question(1), question(2)]
    quiz[0]["choices"][1]["correct"] = True
    assert any("question 1 has more than one right answer" in p for p in balance_problems(quiz))


def test_the_schema_refuses_an_unbalanced_capsule():
    meta = parse(capsule_files()[0]).meta
    meta = copy.deepcopy(meta)
    for q in meta["quiz"]:
        right = next(c for c in q["choices"] if c["correct"])
        q["choices"].remove(right)
        q["choices"].insert(0, right)
    assert any("choice A in" in message for _f, message in field_problems(meta, "mot " * 200))


def test_the_order_is_stable_for_a_link_and_differs_between_readers():
    q = question(0, ("Un", "Deux", "Trois", "Quatre"))
    assert choice_order("token-a", q, 0) == choice_order("token-a", q, 0)
    orders = {tuple(choice_order(f"token-{n}", q, 0)) for n in range(30)}
    assert len(orders) > 5
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)


def test_the_shuffled_quiz_posts_back_the_capsules_own_indices():
    quiz = [question(2, ("Un", "Deux", "Trois"))]
    shown = shuffled(quiz, "token-a")[0]
    assert {c.value: c.text for c in shown.choices} == {0: "Un", 1: "Deux", 2: "Trois"}


def shipped_quizzes() -> list[list[dict]]:
    return [parse(path).meta["quiz"] for path in capsule_files()]


@pytest.mark.parametrize("path", capsule_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_shipped_quiz_is_balanced(path):
    assert balance_problems(parse(path).meta["quiz"]) == []


def test_the_library_gives_no_position_or_length_cue():
    figures = statistics(shipped_quizzes())
    assert min(figures.choices) >= 3
    counts = [figures.correct_position[letter] for letter in "ABC"]
    # No position holds more than 40 % of the right answers, and the first three each hold 20 %+.
    assert max(figures.correct_position.values()) <= 0.4 * figures.questions
    assert min(counts) >= 0.2 * figures.questions
    # Neither the longest nor the shortest choice is a reliable guess.
    assert figures.longest_share <= 0.4
    assert figures.shortest_share <= 0.4
