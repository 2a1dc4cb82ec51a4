"""The shipped decision tree is valid and complete; the validator catches every kind of fault."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from hygie.incidents import assistant
from hygie.incidents.content import (
    ORGANISATION_CONTACT,
    Outcome,
    Question,
    Text,
    Tree,
    TreeError,
    build_tree,
    content_dir,
    load_guidance_files,
    load_tree,
)
from hygie.incidents.tests.trees import minimal, outcome, outcome_of, question, text

# --- The shipped content -----------------------------------------------------------------


def test_the_shipped_tree_validates():
    tree = load_tree()
    assert tree.start in tree.questions
    assert len(tree.urgent) >= 1
    assert len(tree.outcomes) >= 10
    assert load_tree() is tree  # read once per process


def all_paths(tree: Tree) -> list[tuple[tuple[str, ...], Outcome]]:
    """Every path from the start page, walked one answer at a time with `next_step`."""
    found: list[tuple[tuple[str, ...], Outcome]] = []

    def follow(path: tuple[str, ...], depth: int) -> None:
        assert depth <= len(tree.questions), f"path {path} is longer than the tree is deep"
        step = assistant.next_step(tree, path)
        if isinstance(step, Outcome):
            found.append((path, step))
            return
        assert isinstance(step, Question)
        assert step.answers, f"question {step.id} reached by {path} has no answer"
        for index in range(len(step.answers)):
            follow((*path, str(index)), depth + 1)

    follow((), 0)
    for index in range(len(tree.urgent)):
        follow((f"u{index}",), 1)
    return found


def assert_text(value: Text) -> None:
    assert value.fr.strip() and value.en.strip()


def test_every_path_of_the_shipped_tree_ends_at_a_complete_outcome():
    tree = load_tree()
    paths = all_paths(tree)

    assert len(paths) > len(tree.outcomes)
    assert {o.id for _, o in paths} == set(tree.outcomes)  # every outcome is reachable
    assert sorted(paths, key=lambda p: p[0]) == sorted(
        assistant.outcome_paths(tree), key=lambda p: p[0]
    )
    for path, reached in paths:
        where = f"{assistant.format_path(path)} → {reached.id}"
        assert_text(reached.title)
        assert_text(reached.summary)
        assert reached.severity in {"low", "medium", "high", "critical"}, where
        assert reached.actions and reached.do_not and reached.evidence, where
        assert ORGANISATION_CONTACT in {c.id for c in reached.contacts}, where
        for advice in (*reached.actions, *reached.do_not):
            assert_text(advice.text)
            assert advice.source.url.startswith("https://"), where
        for obligation in reached.obligations:
            assert_text(obligation.title)
            assert obligation.deadline.unit in {"hours", "days", "business_days", "months", "asap"}
        for contact in reached.contacts:
            assert_text(contact.name)
            assert contact.value or contact.channel in {"internal", "in_person"}
        assert reached.sources, where
        assert reached.last_reviewed.year >= 2026, where


def test_texts_follow_the_active_language():
    label = load_tree().start_question.text
    with translation.override("fr"):
        assert str(label) == label.fr
    with translation.override("en"):
        assert str(label) == label.en
    with translation.override("en-gb"):
        assert str(label) == label.en


def test_contacts_are_given_as_links():
    contacts = load_tree().contacts
    assert contacts["info_escroqueries"].href == "tel:0805805817"
    assert contacts["info_escroqueries"].display_value == "08 05 80 58 17"
    assert contacts["france_victimes"].display_value == "116 006"
    assert contacts["cyber17"].href == "https://17cyber.gouv.fr"
    assert contacts["bank"].href == ""  # the practice holds its own bank's number


def test_a_mistake_in_the_shipped_files_is_reported(tmp_path):
    for name in ("sources", "contacts", "obligations", "tree"):
        shutil.copy(content_dir() / f"{name}.yaml", tmp_path / f"{name}.yaml")
    path = tmp_path / "tree.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("outcome: fovi_fake_rib", "outcome: fovi_fake"), "utf-8")

    with pytest.raises(TreeError) as error:
        load_guidance_files(tmp_path)
    assert "tree.yaml: question 'money_event', answer 1: unknown outcome 'fovi_fake'" in (
        error.value.problems
    )


def test_unreadable_yaml_is_reported(tmp_path):
    for name in ("sources", "contacts", "obligations"):
        shutil.copy(content_dir() / f"{name}.yaml", tmp_path / f"{name}.yaml")
    (tmp_path / "tree.yaml").write_text("start: [unclosed", encoding="utf-8")
    with pytest.raises(TreeError, match=r"tree\.yaml: cannot be read"):
        load_guidance_files(tmp_path)


# --- The validator, on small broken trees -------------------------------------------------


def test_the_minimal_tree_is_valid():
    tree = build_tree(**minimal())
    assert assistant.next_step(tree, ["0", "0"]).id == "r2"
    assert tree.outcomes["r1"].obligations[0].contact == tree.contacts["hotline"]


Mutation = Callable[[dict[str, Any]], None]


def set_answer(question_id: str, index: int, **fields: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        answer = question(data, question_id)["answers"][index]
        answer.pop("next", None)
        answer.pop("outcome", None)
        answer.update(fields)

    return mutate


def drop_outcome_key(key: str) -> Mutation:
    return lambda data: outcome_of(data, "r1").pop(key)


def set_outcome(key: str, value: Any) -> Mutation:
    return lambda data: outcome_of(data, "r1").__setitem__(key, value)


def set_deadline(value: Any) -> Mutation:
    return lambda data: data["obligations"]["obligations"][0].__setitem__("deadline", value)


def add_question(ident: str, answers: list[dict[str, Any]]) -> Mutation:
    return lambda data: data["tree"]["questions"].append(
        {"id": ident, "text": text(ident), "answers": answers}
    )


def chain(*mutations: Mutation) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


BROKEN: dict[str, tuple[Mutation, str]] = {
    "unknown question": (
        set_answer("q1", 0, next="nowhere"),
        "tree.yaml: question 'q1', answer 1: unknown question 'nowhere'",
    ),
    "unknown outcome": (
        set_answer("q2", 0, outcome="void"),
        "tree.yaml: question 'q2', answer 1: unknown outcome 'void'",
    ),
    "unknown urgent target": (
        lambda d: d["tree"]["urgent"][0].__setitem__("outcome", "void"),
        "tree.yaml: urgent entry 1: unknown outcome 'void'",
    ),
    "unknown start": (
        lambda d: d["tree"].__setitem__("start", "q0"),
        "tree.yaml: start: unknown question 'q0'",
    ),
    "unknown obligation": (
        set_outcome("obligations", ["o72", "o99"]),
        "tree.yaml: outcome 'r1', obligations: unknown obligation 'o99'",
    ),
    "unknown contact": (
        set_outcome("contacts", ["organisation", "ghost"]),
        "tree.yaml: outcome 'r1', contacts: unknown contact 'ghost'",
    ),
    "unknown contact of an obligation": (
        lambda d: d["obligations"]["obligations"][0].__setitem__("contact", "ghost"),
        "obligations.yaml: obligation 'o72', contact: unknown contact 'ghost'",
    ),
    "question without answers": (
        lambda d: question(d, "q2").__setitem__("answers", []),
        "tree.yaml: question 'q2': has no answers",
    ),
    "answer with both next and outcome": (
        set_answer("q1", 1, next="q2", outcome="r1"),
        "tree.yaml: question 'q1', answer 2: must have exactly one of 'next' (a question) "
        "or 'outcome'",
    ),
    "answer with neither next nor outcome": (
        set_answer("q1", 1),
        "tree.yaml: question 'q1', answer 2: must have exactly one of 'next' (a question) "
        "or 'outcome'",
    ),
    "dead end": (
        chain(
            set_answer("q2", 0, next="q3"),
            add_question("q3", [{"label": text("again"), "next": "q2"}]),
        ),
        "tree.yaml: question 'q2': dead end: no outcome can be reached",
    ),
    "cycle with a way out": (
        lambda d: question(d, "q2")["answers"].append({"label": text("back"), "next": "q1"}),
        "tree.yaml: cycle between questions q1 → q2 → q1",
    ),
    "cycle reached from an urgent entry": (
        chain(
            lambda d: d["tree"]["urgent"].append({"label": text("u"), "next": "q3"}),
            add_question(
                "q3",
                [{"label": text("x"), "next": "q4"}, {"label": text("y"), "outcome": "r1"}],
            ),
            add_question("q4", [{"label": text("z"), "next": "q3"}]),
        ),
        "tree.yaml: cycle between questions q3 → q4 → q3",
    ),
    "unreachable question": (
        add_question("orphan", [{"label": text("x"), "outcome": "r1"}]),
        "tree.yaml: question 'orphan': unreachable from the start",
    ),
    "unreachable outcome": (
        lambda d: d["tree"]["outcomes"].append(outcome("r3")),
        "tree.yaml: outcome 'r3': unreachable from the start",
    ),
    "outcome without actions": (drop_outcome_key("actions"), "outcome 'r1': missing 'actions'"),
    "outcome without do_not": (drop_outcome_key("do_not"), "outcome 'r1': missing 'do_not'"),
    "outcome without contacts": (
        drop_outcome_key("contacts"),
        "outcome 'r1': missing 'contacts'",
    ),
    "outcome without evidence": (
        drop_outcome_key("evidence"),
        "outcome 'r1': missing 'evidence'",
    ),
    "outcome without review date": (
        drop_outcome_key("last_reviewed"),
        "outcome 'r1': missing 'last_reviewed'",
    ),
    "outcome with empty actions": (
        set_outcome("actions", []),
        "outcome 'r1', action: must not be empty",
    ),
    "outcome with a bad review date": (
        set_outcome("last_reviewed", "soon"),
        "outcome 'r1', last_reviewed: must be a date (YYYY-MM-DD)",
    ),
    "outcome without the organisation": (
        set_outcome("contacts", ["hotline"]),
        "outcome 'r1', contacts: must include 'organisation'",
    ),
    "outcome with an unknown severity": (
        set_outcome("severity", "apocalyptic"),
        "outcome 'r1', severity: must be one of low, medium, high, critical",
    ),
    "action without source": (
        set_outcome("actions", [{"text": text("act")}]),
        "outcome 'r1', action 1: missing source id",
    ),
    "action with an unknown source": (
        set_outcome("actions", [{"text": text("act"), "source": "s404"}]),
        "outcome 'r1', action 1: unknown source 's404'",
    ),
    "do_not with an unknown source": (
        set_outcome("do_not", [{"text": text("avoid"), "source": "s404"}]),
        "outcome 'r1', do_not 1: unknown source 's404'",
    ),
    "text without French": (
        lambda d: question(d, "q1").__setitem__("text", {"en": "What?"}),
        "tree.yaml: question 'q1', text: missing French text (fr)",
    ),
    "text without English": (
        set_outcome("evidence", [{"fr": "Les traces"}]),
        "outcome 'r1', evidence 1: missing English text (en)",
    ),
    "empty text": (
        lambda d: question(d, "q1")["answers"][0].__setitem__("label", {"fr": " ", "en": "Go"}),
        "tree.yaml: question 'q1', answer 1, label: missing French text (fr)",
    ),
    "deadline with two units": (
        set_deadline({"hours": 72, "days": 3}),
        "obligation 'o72', deadline: must have exactly one of "
        "hours, days, business_days, months, asap",
    ),
    "deadline without unit": (
        set_deadline({}),
        "obligation 'o72', deadline: must have exactly one of "
        "hours, days, business_days, months, asap",
    ),
    "deadline with an unknown unit": (
        set_deadline({"weeks": 2}),
        "obligation 'o72', deadline: unknown unit 'weeks'",
    ),
    "deadline of zero hours": (
        set_deadline({"hours": 0}),
        "obligation 'o72', deadline: 'hours' must be a whole number of at least 1",
    ),
    "asap that is not true": (
        set_deadline({"asap": False}),
        "obligation 'o72', deadline: 'asap' must be true",
    ),
    "phone contact without a number": (
        lambda d: d["contacts"]["contacts"][1].__setitem__("value", ""),
        "contacts.yaml: contact 'hotline', value: required for the 'phone' channel",
    ),
    "unknown channel": (
        lambda d: d["contacts"]["contacts"][1].__setitem__("channel", "pigeon"),
        "contacts.yaml: contact 'hotline', channel: must be one of",
    ),
    "duplicate id": (
        lambda d: d["tree"]["outcomes"].append(outcome("r1")),
        "tree.yaml: outcome 'r1': duplicate id",
    ),
    "source without https": (
        lambda d: d["sources"]["sources"][0].__setitem__("url", "http://example.org"),
        "sources.yaml: source 's1', url: must start with https://",
    ),
    "misspelt key": (
        lambda d: question(d, "q1")["answers"][1].__setitem__("outcom", "r1"),
        "tree.yaml: question 'q1', answer 2: unknown key 'outcom'",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_the_validator_catches_a_broken_tree(case):
    mutate, expected = BROKEN[case]
    data = minimal()
    mutate(data)
    with pytest.raises(TreeError) as error:
        build_tree(**data)
    assert any(expected in problem for problem in error.value.problems), error.value.problems
    assert expected.split(": ")[-1] in str(error.value)


def test_empty_values_are_allowed_for_contacts_the_practice_holds():
    data = minimal()
    data["contacts"]["contacts"].append(
        {"id": "police", "name": text("p"), "channel": "in_person", "value": "", "when": text("w")}
    )
    tree = build_tree(**data)
    assert tree.contacts["police"].value == ""
    assert tree.contacts["organisation"].value == ""


def test_every_problem_is_listed_at_once():
    data = minimal()
    set_answer("q1", 0, next="nowhere")(data)
    drop_outcome_key("evidence")(data)
    set_deadline({"asap": True, "hours": 1})(data)

    with pytest.raises(TreeError) as error:
        build_tree(**data)

    message = str(error.value)
    assert "unknown question 'nowhere'" in message
    assert "missing 'evidence'" in message
    assert "must have exactly one of hours" in message
    assert message.startswith("The incident decision tree has ")
