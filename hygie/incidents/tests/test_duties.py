"""Legal duties are shown as due only when the answers establish every condition they need."""

from __future__ import annotations

import datetime as dt

import pytest

from hygie.incidents import assistant, selectors
from hygie.incidents.assistant import PARIS
from hygie.incidents.content import TreeError, build_tree, load_tree
from hygie.incidents.tests.helpers import make_report
from hygie.incidents.tests.pages import dated, duties, text
from hygie.incidents.tests.trees import minimal, outcome_of, question
from hygie.testing.pdf import pdf_text

pytestmark = pytest.mark.django_db

DISCOVERY = {"decouverte": "2025-11-28T14:05"}


def path_to(*labels: str) -> str:
    """The path that answers each question with the answer whose French label starts so."""
    tree = load_tree()
    answers: list[str] = []
    for label in labels:
        step = assistant.next_step(tree, answers)
        assert not isinstance(step, assistant.Outcome), f"{labels}: outcome reached early"
        index = next((i for i, a in enumerate(step.answers) if a.label.fr.startswith(label)), None)
        assert index is not None, f"no answer {label!r} at {step.id}"
        answers.append(str(index))
    return assistant.format_path(answers)


def outcome_page(client, path: str) -> str:
    response = client.get(f"/aide/r/{path}/", DISCOVERY)
    assert response.status_code == 200
    return response.content.decode()


# --- The wrong advice of the first version -------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        ("Mes propres données ont fuité",),
        ("Des données patients", "Ce sont mes propres données"),
        ("Des données patients", "Mon éditeur", "Seulement mes propres données"),
    ],
)
def test_a_doctor_whose_own_data_leaked_elsewhere_is_not_told_to_notify_the_cnil(client, labels):
    content = outcome_page(client, path_to(*labels))
    assert "Vos propres données ont fuité chez un autre organisme" in content
    assert "cnil_breach_notification" not in duties(content, "due")
    assert "cnil_breach_notification" not in duties(content, "to_check")
    assert "cnil_breach_notification" in duties(content, "not_required")
    words = text(content)
    assert "non requis, parce que les données touchées ne sont pas celles" in words
    assert "c'est l'organisme qui les détenait qui doit notifier la CNIL" in words
    assert "c'est à vous" not in words.lower()
    # What the doctor must do instead: protect themself.
    assert "Changez le mot de passe du compte concerné" in words
    assert "déposez plainte" in words


def test_a_vendor_leak_of_patient_data_still_makes_the_practice_notify(client):
    content = outcome_page(
        client, path_to("Des données patients", "Mon éditeur", "Les données de mes patients, et")
    )
    assert "cnil_breach_notification" in dated(content)
    assert "Vérifiez que le prestataire qui héberge" in text(content)  # HDS
    assert "insurer_declaration" in duties(content, "to_check")


@pytest.mark.parametrize(
    "labels",
    [("Mon ordinateur se comporte", "Seulement des lenteurs"), ("Aucune de ces situations",)],
)
def test_slowness_or_i_dont_know_shows_no_dated_cnil_or_complaint_duty(client, labels):
    content = outcome_page(client, path_to(*labels))
    assert dated(content) == []
    for duty in ("cnil_breach_notification", "complaint_insurance_72h"):
        assert duty not in duties(content, "due")
        assert duty not in duties(content, "to_check")


def test_slowness_says_why_the_cnil_and_the_complaint_are_not_required(client):
    content = outcome_page(client, path_to("Mon ordinateur se comporte", "Seulement des lenteurs"))
    assert duties(content, "not_required") == [
        "cnil_breach_notification",
        "complaint_insurance_72h",
    ]
    assert "aucun système ni compte du cabinet n'a été attaqué" in text(content)


def test_no_catch_all_or_low_severity_outcome_shows_a_duty_as_due():
    tree = load_tree()
    for path, reached in assistant.outcome_paths(tree):
        visits, _ = assistant.walk(tree, path)
        due = assistant.due_obligations(visits, reached)
        if reached.id in {"general_unknown", "slow_computer"} or reached.severity == "low":
            assert due == [], f"{assistant.format_path(path)} → {reached.id}: {due}"


def test_every_dated_duty_is_backed_by_every_condition_it_requires():
    tree = load_tree()
    for path, reached in assistant.outcome_paths(tree):
        visits, _ = assistant.walk(tree, path)
        facts = assistant.established_facts(visits, reached)
        for obligation in assistant.due_obligations(visits, reached):
            for condition in obligation.requires:
                assert facts.get(condition.id) is True, (assistant.format_path(path), obligation.id)


def test_every_obligation_cites_the_fact_base_and_its_conditions_exist():
    tree = load_tree()
    for obligation in tree.obligations.values():
        assert obligation.fact_keys, obligation.id
        assert obligation.source.url.startswith("https://")
    for outcome in tree.outcomes.values():
        assert outcome.fact_keys, outcome.id


# --- The engine --------------------------------------------------------------------


def conditional_tree():
    data = minimal()
    data["obligations"]["conditions"] = [
        {"id": "holder", "met": {"fr": "m", "en": "m"}, "unmet": {"fr": "u", "en": "u"}},
        {"id": "risky", "met": {"fr": "m", "en": "m"}, "unmet": {"fr": "u", "en": "u"}},
    ]
    data["obligations"]["obligations"][0]["requires"] = ["holder", "risky"]
    outcome_of(data, "r2")["facts"] = {"holder": True}
    question(data, "q2")["answers"][0]["facts"] = {"risky": False}
    question(data, "q1")["answers"][1]["facts"] = {"risky": True}
    outcome_of(data, "r1")["facts"] = {"holder": True}
    return build_tree(**data)


def test_a_duty_is_due_only_when_every_condition_is_established():
    tree = conditional_tree()
    visits, reached = assistant.walk(tree, ["1"])  # holder (outcome) and risky (answer)
    assert [a.status for a in assistant.assess_outcome(visits, reached)] == [assistant.REQUIRED]


def test_an_answer_that_contradicts_a_condition_makes_the_duty_not_required():
    tree = conditional_tree()
    visits, reached = assistant.walk(tree, ["0", "0"])
    (assessment,) = assistant.assess_outcome(visits, reached)
    assert assessment.status == assistant.NOT_REQUIRED
    assert [c.id for c in assessment.unmet] == ["risky"]


def test_a_condition_left_open_makes_the_duty_to_check():
    tree = conditional_tree()
    visits, reached = assistant.walk(tree, ["u0"])  # the shortcut says nothing about the risk
    (assessment,) = assistant.assess_outcome(visits, reached)
    assert assessment.status == assistant.TO_CHECK
    assert [c.id for c in assessment.open] == ["risky"]


def test_an_answer_overrides_what_the_outcome_establishes():
    tree = conditional_tree()
    answer = tree.questions["q2"].answers[0]
    outcome = tree.outcomes["r2"]
    visit = assistant.Visit(question=tree.questions["q2"], answer=answer, path_before=("0",))
    assert assistant.established_facts([visit], outcome) == {"holder": True, "risky": False}


@pytest.mark.parametrize(
    ("where", "change", "message"),
    [
        (
            "requires",
            lambda d: d["obligations"]["obligations"][0].update(requires=["nope"]),
            "unknown condition 'nope'",
        ),
        (
            "answer",
            lambda d: question(d, "q1")["answers"][0].update(facts={"nope": True}),
            "unknown condition 'nope'",
        ),
        (
            "outcome",
            lambda d: outcome_of(d, "r1").update(facts={"holder": "yes"}),
            "'holder' must be true or false",
        ),
        ("now", lambda d: outcome_of(d, "r1").update(now=0), "must be a whole number"),
    ],
)
def test_the_validator_catches_bad_conditions(where, change, message):
    data = minimal()
    data["obligations"]["conditions"] = [
        {"id": "holder", "met": {"fr": "m", "en": "m"}, "unmet": {"fr": "u", "en": "u"}}
    ]
    change(data)
    with pytest.raises(TreeError) as caught:
        build_tree(**data)
    assert message in str(caught.value), where


def test_a_month_deadline_is_a_calendar_date_across_a_clock_change():
    tree = load_tree()
    rule = tree.obligations["card_dispute_13_months"]
    discovered = dt.datetime(2025, 1, 31, 10, 0, tzinfo=PARIS)  # winter time
    (deadline,) = assistant.deadlines([rule], discovered)
    assert deadline.due == dt.datetime(2026, 2, 28, 10, 0, tzinfo=PARIS)
    discovered = dt.datetime(2025, 3, 15, 9, 0, tzinfo=PARIS)  # winter → summer in 13 months
    (deadline,) = assistant.deadlines([rule], discovered)
    assert deadline.due == dt.datetime(2026, 4, 15, 9, 0, tzinfo=PARIS)
    assert deadline.due.utcoffset() == dt.timedelta(hours=2)


def test_the_desk_and_its_reminders_count_only_the_duties_the_answers_make_due(organisation):
    leak = path_to("Mes propres données ont fuité")
    assert selectors.deadlines_of(make_report(organisation, path=leak)) == []
    slow = path_to("Mon ordinateur se comporte", "Seulement des lenteurs")
    assert selectors.deadlines_of(make_report(organisation, path=slow)) == []
    ransomware = make_report(organisation, path="0")
    assert {d.obligation.id for d in selectors.deadlines_of(ransomware)} >= {
        "cnil_breach_notification",
        "complaint_insurance_72h",
    }


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_pdf_says_which_duties_are_not_required_and_why(client):
    leak = path_to("Mes propres données ont fuité")
    response = client.get(f"/aide/r/{leak}/resume.pdf", DISCOVERY)
    words = pdf_text(response.content)
    assert "Non requis dans votre situation" in words
    assert "non requis, parce que les données touchées ne sont pas celles" in words


def test_every_outcome_says_which_duties_apply_and_which_do_not():
    """Only the catch-all, where nothing is known yet, lists no duty at all."""
    tree = load_tree()
    for outcome in tree.outcomes.values():
        if outcome.id == "general_unknown":
            assert outcome.obligations == ()
            continue
        assert outcome.obligations, f"{outcome.id} says nothing about duties"
        for obligation in outcome.obligations:
            assert obligation.requires, f"{obligation.id} has no condition"
