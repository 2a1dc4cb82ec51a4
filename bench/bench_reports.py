"""Grouping reported lures at scale: 10,000 stored real reports.

Figures: the time to give a newly received report its group (median over new
reports, half of them siblings of stored lures, half new lures), against the
"similar reports" scan the triage page already ran for one report (the same
data); and the time to regroup all 10,000 reports, against the floor of reading
their keys once. One JSON line each.
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child


def run() -> None:
    env, directory = private_environment()
    with directory:
        result = run_child("bench.reports_child", env=env)
    emit(
        "reports",
        "assign_new_report_ms",
        result["assign_ms"],
        "ms",
        "similar-reports scan of the triage page, same report",
        result["similar_ms"],
    )
    emit(
        "reports",
        "regroup_10000_reports_seconds",
        result["regroup_s"],
        "seconds",
        "reading the reports' keys once",
        result["read_keys_s"],
    )
    emit("reports", "stored_reports", result["reports"], "reports")
    emit("reports", "groups_after_regroup", result["groups"], "groups")
    emit("reports", "lures_generated", result["lures"], "lures")
