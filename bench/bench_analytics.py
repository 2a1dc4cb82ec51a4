"""Result pages on a generated programme: 100,000 people, 20 campaigns, 2 million messages
and at least 2 million events. Server time of the programme dashboard, a simulation's
results page (its first view, which computes the figures, and the next views, which
read them kept) and the breakdowns (by segment, by département), after 10 and after 20
campaigns, each with its ratio to a single COUNT(*) over the capsule-visit events table
measured in the same run.

Runs on SQLite by default, on PostgreSQL when HYGIE_BENCH_DATABASE_URL is set (a database
of the bench's own: it is emptied at the end).
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child

BASELINE = "SELECT COUNT(*) over the capsule-visit events, same run"


def run() -> None:
    env, directory = private_environment()
    with directory:
        result = run_child("bench.analytics_child", env=env)
    base = result["count_reading_events_ms"]
    emit("analytics", "events", result["events"], "events")
    emit("analytics", "generate", result["generate_s"], "seconds")
    emit("analytics", "rollup_10_campaigns", result["rollup_10_campaigns_s"], "seconds")
    emit("analytics", "rollup_20_campaigns", result["rollup_20_campaigns_s"], "seconds")
    emit("analytics", "count_reading_events_ms", base, "ms")
    emit("analytics", "count_simulation_events_ms", result["count_simulation_events_ms"], "ms")
    for figure in (
        "dashboard_10_ms",
        "dashboard_20_ms",
        "simulation_results_first_view_10_ms",
        "simulation_results_10_ms",
        "simulation_results_first_view_20_ms",
        "simulation_results_20_ms",
        "segment_breakdown_10_ms",
        "segment_breakdown_20_ms",
        "departement_breakdown_10_ms",
        "departement_breakdown_20_ms",
        "awareness_results_first_view_20_ms",
        "awareness_results_20_ms",
    ):
        emit("analytics", figure, result[figure], "ms", BASELINE, base, higher_is_better=False)
