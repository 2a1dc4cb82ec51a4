"""How well tracked-link hits are told apart, on the labelled corpus kept in the
repository (bench/data/detector_corpus.jsonl.gz, written by bench/detector_corpus.py),
with DEFAULT settings: the shipped scanner knowledge, no range typed by staff.

Figures: robot recall (robot hits called robots), precision of "person" verdicts
on link hits, share of people's link hits counted (not called robots), and the
opens: Apple Mail's machine opens kept apart, Gmail proxy opens counted as
people's. Baseline in the same run: a detector that only reads the user agent.
One JSON line per figure, then one per family (share of its hits called robots).

Runs on a private SQLite database, then on PostgreSQL when HYGIE_BENCH_DATABASE_URL
(or DATABASE_URL) names a PostgreSQL server: on a database of its own, created on
that server for the run and dropped at the end. Figures are prefixed by the database.
"""

from __future__ import annotations

import json

from bench.common import emit, postgres_server, private_environment, private_postgres, run_child

USER_AGENT_ONLY = "user-agent list only, same corpus"


def run() -> None:
    _measure("sqlite")
    server = postgres_server()
    if server:
        with private_postgres(server) as url:
            _measure("postgresql", url)


def _measure(database: str, database_url: str = "") -> None:
    env, directory = private_environment(sqlite=not database_url, database_url=database_url)
    with directory:
        result = run_child("bench.detector_child", env=env)
    emit(
        "detector",
        f"{database}_robot_recall_percent",
        result["recall"],
        "%",
        USER_AGENT_ONLY,
        result["baseline_recall"],
    )
    emit(
        "detector",
        f"{database}_person_click_precision_percent",
        result["precision"],
        "%",
        USER_AGENT_ONLY,
        result["baseline_precision"],
    )
    emit("detector", f"{database}_people_clicks_counted_percent", result["people_counted"], "%")
    emit(
        "detector",
        f"{database}_people_clicks_confirmed_by_page_percent",
        result["people_confirmed"],
        "%",
    )
    emit(
        "detector",
        f"{database}_counted_clicks_from_people_percent",
        result["counted_precision"],
        "%",
    )
    emit(
        "detector",
        f"{database}_apple_machine_opens_kept_apart_percent",
        result["machine_opens_apart"],
        "%",
    )
    emit(
        "detector",
        f"{database}_gmail_proxy_opens_counted_percent",
        result["gmail_opens_counted"],
        "%",
    )
    emit("detector", f"{database}_corpus_hits", result["hits"], "hits")
    emit("detector", f"{database}_corpus_link_hits", result["link_hits"], "hits")
    for family, figures in result["families"].items():
        print(
            json.dumps(
                {
                    "bench": "detector",
                    "figure": f"{database}_family_called_robot_percent",
                    "family": family,
                    "value": figures["robot_percent"],
                    "unit": "%",
                    "hits": figures["hits"],
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
