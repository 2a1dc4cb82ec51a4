"""How `pytest -n` hands tests out (hygie/testing/scheduling.py), in a real run of two
workers on a small suite of its own."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

pytestmark = pytest.mark.slow  # starts a pytest run with two worker processes

RECORD = """
import json, os, pathlib, time

def record(name, seconds=0.0):
    time.sleep(seconds)
    with open(pathlib.Path(__file__).parent / "ran.jsonl", "a") as out:
        out.write(json.dumps([name, os.environ["PYTEST_XDIST_WORKER"]]) + "\\n")
"""


def test_journeys_go_to_one_worker_and_the_rest_is_shared(pytester):
    pytester.makepyfile(
        record=RECORD,
        test_browser_first="from record import record\n"
        + "".join(f"def test_j{n}(): record('journey')\n" for n in range(3)),
        test_browser_second="from record import record\n"
        + "".join(f"def test_k{n}(): record('journey')\n" for n in range(2)),
        test_plain="from record import record\n"
        + "".join(f"def test_p{n}(): record('plain', 0.2)\n" for n in range(8)),
    )
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "hygie.testing.scheduling", "-p", "no:django", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=13)
    ran = [json.loads(line) for line in (pytester.path / "ran.jsonl").read_text().splitlines()]
    journeys = {worker for name, worker in ran if name == "journey"}
    assert len(journeys) == 1  # the five journeys, from two modules, on one worker
    assert {worker for _name, worker in ran} == {"gw0", "gw1"}  # and both workers worked
