"""How well tracked-link hits are told apart: precision and recall on labelled traffic.

A generated traffic set of people and several robot behaviours goes through the
real `record_hit` on a private database. Baseline in the same run: a detector
that only looks at the user agent (what most tools do).
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child


def run() -> None:
    env, directory = private_environment()
    with directory:
        result = run_child("bench.detector_child", env=env)
    emit(
        "detector",
        "robot_recall_percent",
        result["recall"],
        "%",
        "user-agent list only, same traffic",
        result["baseline_recall"],
    )
    emit(
        "detector",
        "human_precision_percent",
        result["precision"],
        "%",
        "user-agent list only, same traffic",
        result["baseline_precision"],
    )
    emit(
        "detector",
        "human_precision_percent_vs_no_page_check",
        result["precision"],
        "%",
        "same detector without the page-side check, same traffic",
        result["precision_without_page_check"],
    )
    emit("detector", "humans_classified_human_percent", result["human_kept"], "%")
    emit("detector", "uncertain_percent", result["uncertain"], "%")
