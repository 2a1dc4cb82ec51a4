"""The capsule schema, shared by the file loader and the console editor.

Each problem is named with the field it concerns, so that the editor can show it
next to that field and the loader can list it with the file's name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from hygie.library.quiz import balance_problems
from hygie.library.reader_roles import role_problems
from hygie.library.themes import THEMES

REQUIRED = (
    "slug",
    "theme",
    "language",
    "version",
    "last_reviewed",
    "title",
    "promise",
    "reading_minutes",
    "audience",
    "reflexes",
    "quiz",
    "sources",
)
AUDIENCES = ("doctor", "staff")
MIN_BODY_WORDS = 150


def field_problems(meta: dict[str, Any], body: str) -> list[tuple[str, str]]:
    """Every schema violation as (field, message)."""
    found: list[tuple[str, str]] = []
    found += [(f, _("missing field '%(field)s'") % {"field": f}) for f in REQUIRED if f not in meta]
    if meta.get("theme") not in THEMES:
        found.append(("theme", _("unknown theme %(theme)r") % {"theme": meta.get("theme")}))
    if meta.get("language") not in {"fr", "en"}:
        found.append(("language", _("language must be fr or en")))
    if not isinstance(meta.get("version"), int) or meta.get("version", 0) < 1:
        found.append(("version", _("version must be a positive integer")))
    if not isinstance(meta.get("last_reviewed"), date):
        found.append(("last_reviewed", _("last_reviewed must be a date (YYYY-MM-DD)")))
    title = str(meta.get("title") or "")
    if not title.strip():
        found.append(("title", _("a title is required")))
    if len(title) > 120:
        found.append(("title", _("title longer than 120 characters")))
    promise = str(meta.get("promise") or "")
    if not promise.strip():
        found.append(("promise", _("a one-line promise is required")))
    if len(promise) > 200:
        found.append(("promise", _("promise longer than 200 characters")))
    minutes = meta.get("reading_minutes")
    if not isinstance(minutes, int) or not 2 <= minutes <= 4:
        found.append(("reading_minutes", _("reading_minutes must be between 2 and 4")))
    audience = meta.get("audience") or []
    if not audience or any(a not in AUDIENCES for a in audience):
        found.append(("audience", _("audience must list doctor and/or staff")))
    reflexes = meta.get("reflexes") or []
    if not 3 <= len(reflexes) <= 5:
        found.append(("reflexes", _("3 to 5 reflexes are required")))
    found += _quiz_problems(meta.get("quiz") or [])
    found += role_problems(body, meta.get("quiz") or [])
    sources = meta.get("sources") or []
    if not sources:
        found.append(("sources", _("at least one source is required")))
    for source in sources:
        if not str(source.get("url", "")).startswith(("https://", "http://")) or not source.get(
            "title"
        ):
            found.append(
                (
                    "sources",
                    _("source %(source)r needs a title and a web address") % {"source": source},
                )
            )
    if len(body.split()) < MIN_BODY_WORDS:
        found.append(
            (
                "body",
                _("the body is too short for a capsule (%(count)s words, at least %(min)s)")
                % {"count": len(body.split()), "min": MIN_BODY_WORDS},
            )
        )
    return found


def _quiz_problems(quiz: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    # With questions per role, each role's count is checked by role_problems.
    if not 3 <= len(quiz) <= 5 and not any(q.get("roles") for q in quiz):
        found.append(("quiz", _("the quiz needs 3 to 5 questions")))
    for number, question in enumerate(quiz, start=1):
        choices = question.get("choices") or []
        if not question.get("question"):
            found.append(("quiz", _("question %(n)s has no text") % {"n": number}))
        if not any(choice.get("correct") is True for choice in choices):
            found.append(("quiz", _("question %(n)s has no right answer") % {"n": number}))
        for letter, choice in zip("abcd", choices, strict=False):
            if not str(choice.get("explanation", "")).strip():
                found.append(
                    (
                        "quiz",
                        _("question %(n)s, choice %(letter)s: missing explanation")
                        % {"n": number, "letter": letter},
                    )
                )
            if not str(choice.get("text", "")).strip():
                found.append(
                    (
                        "quiz",
                        _("question %(n)s, choice %(letter)s: missing text")
                        % {"n": number, "letter": letter},
                    )
                )
    found += [("quiz", message) for message in balance_problems(quiz)]
    return found
