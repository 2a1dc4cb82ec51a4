"""Walking the tree by path; deadlines counted from the discovery (DST, weekends, month ends)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hygie.incidents import assistant
from hygie.incidents.assistant import InvalidPath, deadlines, next_step, parse_path
from hygie.incidents.content import (
    DeadlineRule,
    Obligation,
    Outcome,
    Question,
    Source,
    Text,
    load_tree,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS, fold=fold)  # type: ignore[misc]


# --- Paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", []), ("0", ["0"]), ("1.2.0", ["1", "2", "0"]), ("u1.0", ["u1", "0"]), ("10", ["10"])],
)
def test_paths_are_parsed(text, tokens):
    assert parse_path(text) == tokens
    assert assistant.format_path(tokens) == text


@pytest.mark.parametrize(
    "text", ["01", "-1", "1..2", ".1", "1.", "a", "1.u0", "u", "u01", "0x1", "1 ", "1000", "٣"]
)
def test_malformed_paths_are_refused(text):
    with pytest.raises(InvalidPath):
        parse_path(text)


def test_a_very_long_path_is_refused_before_any_work():
    with pytest.raises(InvalidPath, match="too long"):
        parse_path(".".join(["0"] * 200))


def test_next_step_follows_answers_and_urgent_shortcuts():
    tree = load_tree()
    assert next_step(tree, []) is tree.start_question
    assert next_step(tree, ["0"]) == tree.outcomes["ransomware"]
    assert next_step(tree, ["1"]) == tree.questions["email_action"]
    assert next_step(tree, ["1", "2", "2"]) == tree.outcomes["credentials_phished"]
    assert next_step(tree, ["u0"]) == tree.outcomes["ransomware"]
    assert next_step(tree, ["u1"]) == tree.questions["money_event"]
    assert next_step(tree, ["u1", "0"]) == tree.outcomes["fovi_fake_rib"]


@pytest.mark.parametrize(
    "answers",
    [["99"], ["1", "99"], ["0", "0"], ["u0", "0"], ["u9"], ["1", "u0"], ["x"], [""], ["01"]],
)
def test_paths_that_lead_nowhere_raise(answers):
    with pytest.raises(InvalidPath):
        next_step(load_tree(), answers)


def test_walk_keeps_the_choices_made_for_the_back_links():
    tree = load_tree()
    visits, step = assistant.walk(tree, ["u1", "1"])
    assert step == tree.outcomes["fake_bank_advisor"]
    assert [v.question for v in visits] == [None, tree.questions["money_event"]]
    assert [v.path_before for v in visits] == [(), ("u1",)]
    assert visits[0].answer == tree.urgent[1]


def test_every_outcome_path_is_distinct_and_walkable():
    tree = load_tree()
    paths = list(assistant.outcome_paths(tree))
    assert len({p for p, _ in paths}) == len(paths)
    for path, outcome in paths:
        assert isinstance(next_step(tree, path), Outcome)
        assert next_step(tree, path) == outcome
        # Every prefix is a question.
        for cut in range(len(path)):
            assert isinstance(next_step(tree, path[:cut]), Question)


# --- Deadlines -----------------------------------------------------------------------


SOURCE = Source(id="s", title="S", url="https://example.org")


def obligation(unit: str, amount: int | None = None) -> Obligation:
    return Obligation(
        id=f"{unit}-{amount}",
        title=Text(fr="t", en="t"),
        deadline=DeadlineRule(unit=unit, amount=amount),  # type: ignore[arg-type]
        applies_when=Text(fr="a", en="a"),
        how=Text(fr="h", en="h"),
        contact=None,
        source=SOURCE,
    )


def due(unit: str, amount: int | None, discovered_at: dt.datetime) -> dt.datetime | None:
    (deadline,) = deadlines([obligation(unit, amount)], discovered_at)
    return deadline.due


def test_hours_are_real_elapsed_time_across_the_spring_change():
    # 29 March 2026, 02:00 → 03:00: the night is one hour short.
    discovered = paris(2026, 3, 28, 10, 0)
    result = due("hours", 72, discovered)
    assert result == paris(2026, 3, 31, 11, 0)  # wall clock moves forward by an hour
    assert result is not None
    # Python subtracts same-zone times by wall clock: compare the real moments in UTC.
    elapsed = result.astimezone(dt.UTC) - discovered.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=72)
    assert result.utcoffset() == dt.timedelta(hours=2)
    assert due("hours", 24, paris(2026, 3, 28, 12, 0)) == paris(2026, 3, 29, 13, 0)


def test_hours_are_real_elapsed_time_across_the_autumn_change():
    # 25 October 2026, 03:00 → 02:00: the night is one hour long.
    discovered = paris(2026, 10, 24, 10, 0)
    result = due("hours", 72, discovered)
    assert result == paris(2026, 10, 27, 9, 0)
    assert result is not None and result.utcoffset() == dt.timedelta(hours=1)
    # Discovered during the repeated hour: both 02:30 are distinct moments.
    first = due("hours", 1, paris(2026, 10, 25, 2, 30, fold=0))
    second = due("hours", 1, paris(2026, 10, 25, 2, 30, fold=1))
    assert first is not None and second is not None
    assert (first.hour, first.minute, first.fold) == (2, 30, 1)
    assert (second.hour, second.minute) == (3, 30)


def test_days_keep_the_wall_clock_time_across_the_changes():
    spring = due("days", 2, paris(2026, 3, 28, 10, 0))
    assert spring == paris(2026, 3, 30, 10, 0)
    assert spring is not None and spring.utcoffset() == dt.timedelta(hours=2)
    autumn = due("days", 1, paris(2026, 10, 24, 18, 15))
    assert autumn == paris(2026, 10, 25, 18, 15)
    assert autumn is not None and autumn.utcoffset() == dt.timedelta(hours=1)


def test_days_landing_on_a_missing_or_repeated_hour():
    # 02:30 does not exist on 29 March 2026: the deadline moves to 03:30.
    missing = due("days", 1, paris(2026, 3, 28, 2, 30))
    assert missing is not None
    assert (missing.day, missing.hour, missing.minute) == (29, 3, 30)
    assert missing.utcoffset() == dt.timedelta(hours=2)
    # 02:30 happens twice on 25 October 2026: the first (earlier) one is kept.
    repeated = due("days", 1, paris(2026, 10, 24, 2, 30))
    assert repeated is not None
    assert repeated.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_business_days_skip_the_weekend():
    friday = paris(2026, 11, 27, 16, 0)
    assert due("business_days", 1, friday) == paris(2026, 11, 30, 16, 0)  # Monday
    assert due("business_days", 3, friday) == paris(2026, 12, 2, 16, 0)  # Wednesday
    assert due("business_days", 5, friday) == paris(2026, 12, 4, 16, 0)  # next Friday
    assert due("business_days", 1, paris(2026, 11, 28, 9, 0)) == paris(2026, 11, 30, 9, 0)
    assert due("business_days", 1, paris(2026, 11, 29, 9, 0)) == paris(2026, 11, 30, 9, 0)
    assert due("business_days", 2, paris(2026, 11, 24, 9, 0)) == paris(2026, 11, 26, 9, 0)
    # Over the spring-change weekend, the wall-clock time is kept.
    assert due("business_days", 1, paris(2026, 3, 27, 9, 0)) == paris(2026, 3, 30, 9, 0)


def test_business_days_ignore_public_holidays():
    # 1 May 2026 is a Friday and a public holiday; it is counted as documented.
    assert due("business_days", 1, paris(2026, 4, 30, 10, 0)) == paris(2026, 5, 1, 10, 0)


def test_deadlines_at_a_month_and_year_end():
    assert due("hours", 72, paris(2026, 2, 27, 20, 0)) == paris(2026, 3, 2, 20, 0)
    assert due("days", 3, paris(2026, 1, 30, 10, 0)) == paris(2026, 2, 2, 10, 0)
    assert due("days", 1, paris(2026, 1, 31, 23, 59)) == paris(2026, 2, 1, 23, 59)
    assert due("hours", 72, paris(2026, 12, 30, 8, 0)) == paris(2027, 1, 2, 8, 0)
    assert due("business_days", 1, paris(2026, 4, 30, 10, 0)) == paris(2026, 5, 1, 10, 0)
    assert due("business_days", 2, paris(2026, 7, 31, 10, 0)) == paris(2026, 8, 4, 10, 0)


def test_asap_has_no_date():
    assert due("asap", None, paris(2026, 11, 28, 10, 0)) is None


def test_deadlines_are_given_in_paris_whatever_the_input_zone():
    discovered = dt.datetime(2026, 11, 28, 13, 5, tzinfo=dt.UTC)  # 14:05 in Paris
    result = due("hours", 72, discovered)
    assert result is not None
    assert result.tzinfo == PARIS
    assert (result.day, result.hour, result.minute) == (1, 14, 5)  # Tuesday 1 December
    assert due("days", 1, discovered) == paris(2026, 11, 29, 14, 5)


def test_deadlines_keep_the_order_of_the_obligations_and_need_an_aware_time():
    found = deadlines([obligation("asap"), obligation("hours", 72)], paris(2026, 11, 28, 10, 0))
    assert [d.obligation.deadline.unit for d in found] == ["asap", "hours"]
    with pytest.raises(ValueError, match="aware"):
        deadlines([obligation("hours", 1)], dt.datetime(2026, 11, 28, 10, 0))  # noqa: DTZ001


def test_the_shipped_72_hour_obligations():
    tree = load_tree()
    (cnil, register, patients, complaint, insurer) = deadlines(
        tree.outcomes["ransomware"].obligations, paris(2026, 11, 27, 14, 5)
    )
    assert cnil.obligation.id == "cnil_breach_notification"
    assert cnil.due == paris(2026, 11, 30, 14, 5)
    assert complaint.due == paris(2026, 11, 30, 14, 5)
    assert register.due is None and patients.due is None and insurer.due is None
