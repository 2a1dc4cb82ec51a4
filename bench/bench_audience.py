"""The people list and a segment count on 100,000 people: server time per request.

Baseline in the same run: the health endpoint through the same test client (the
cost of Django itself for a request that does one trivial query).
"""

from __future__ import annotations

from bench.common import emit, private_environment, run_child

PEOPLE = 100_000


def run() -> None:
    env, directory = private_environment()
    with directory:
        result = run_child("bench.audience_child", str(PEOPLE), env=env)
    base = result["health_ms"]
    for figure in (
        "list_first_page_ms",
        "list_page_1000_ms",
        "list_search_ms",
        "segment_count_ms",
        "segment_page_ms",
    ):
        emit("audience", figure, result[figure], "ms", "GET /healthz, same client", base)
