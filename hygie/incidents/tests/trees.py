"""A small, valid decision tree as raw YAML-like data, for tests to break one piece at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any


def text(name: str) -> dict[str, str]:
    return {"fr": f"{name} (fr)", "en": f"{name} (en)"}


def outcome(ident: str) -> dict[str, Any]:
    return {
        "id": ident,
        "title": text(f"{ident} title"),
        "summary": text(f"{ident} summary"),
        "severity": "high",
        "actions": [{"text": text("act"), "source": "s1"}],
        "do_not": [{"text": text("avoid"), "source": "s1"}],
        "obligations": ["o72"],
        "contacts": ["hotline", "organisation"],
        "evidence": [text("keep")],
        "last_reviewed": dt.date(2026, 11, 28),
    }


def minimal() -> dict[str, Any]:
    """Start q1 → (q2 → r2) or r1; one urgent shortcut to r1. Keyword arguments of build_tree."""
    return {
        "sources": {"sources": [{"id": "s1", "title": "Source", "url": "https://example.org/s1"}]},
        "contacts": {
            "contacts": [
                {
                    "id": "organisation",
                    "name": text("referent"),
                    "channel": "internal",
                    "value": "",
                    "when": text("when"),
                },
                {
                    "id": "hotline",
                    "name": text("hotline"),
                    "channel": "phone",
                    "value": "0123456789",
                    "when": text("when"),
                    "source": "s1",
                },
            ]
        },
        "obligations": {
            "obligations": [
                {
                    "id": "o72",
                    "title": text("notify"),
                    "deadline": {"hours": 72},
                    "applies_when": text("applies"),
                    "how": text("how"),
                    "contact": "hotline",
                    "source": "s1",
                }
            ]
        },
        "tree": {
            "start": "q1",
            "urgent": [{"label": text("urgent"), "outcome": "r1"}],
            "questions": [
                {
                    "id": "q1",
                    "text": text("q1"),
                    "help": text("help"),
                    "answers": [
                        {"label": text("go on"), "next": "q2"},
                        {"label": text("stop"), "outcome": "r1"},
                    ],
                },
                {
                    "id": "q2",
                    "text": text("q2"),
                    "answers": [{"label": text("a"), "outcome": "r2"}],
                },
            ],
            "outcomes": [outcome("r1"), outcome("r2")],
        },
    }


def question(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(q for q in data["tree"]["questions"] if q["id"] == ident)


def outcome_of(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(o for o in data["tree"]["outcomes"] if o["id"] == ident)
