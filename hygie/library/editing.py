"""The capsule editor's side of hygie.lib.editing: a capsule read into the form
(`capsule_form_initial`), and the text formats for a quiz and sources, both ways.

A quiz is written as short lines a busy author can type without learning YAML:

    ? The question
    + A right choice :: why it is right
    - A wrong choice :: why it is wrong

and sources as one `Title | https://address` per line. Parsing names the line of
each mistake; the schema then checks the structure as it does for files.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from hygie.library.models import Capsule

SEPARATOR = "::"


class FormatError(ValueError):
    pass


def capsule_form_initial(*, capsule: Capsule) -> dict[str, Any]:
    """One version of a capsule as the editor form's fields."""
    return {
        "title": capsule.title,
        "promise": capsule.promise,
        "theme": capsule.theme,
        "reading_minutes": capsule.reading_minutes,
        "audience": capsule.audience,
        "audience_notes": capsule.audience_notes,
        "body": capsule.body_markdown,
        "reflexes": "\n".join(capsule.reflexes),
        "quiz": quiz_to_text(capsule.quiz),
        "sources": sources_to_text(capsule.sources),
    }


def quiz_to_text(quiz: list[dict[str, Any]]) -> str:
    blocks = []
    for question in quiz:
        roles = f"[{' '.join(question['roles'])}] " if question.get("roles") else ""
        lines = [f"? {roles}{question.get('question', '')}"]
        for choice in question.get("choices", []):
            mark = "+" if choice.get("correct") is True else "-"
            lines.append(
                f"{mark} {choice.get('text', '')} {SEPARATOR} {choice.get('explanation', '')}"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def quiz_from_text(text: str) -> list[dict[str, Any]]:
    quiz: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        mark, content = line[0], line[1:].strip()
        if mark == "?":
            # "? [secretary locum] The question": a question for some roles only.
            roles = re.match(r"\[([\w\s,]+)\]\s*", content)
            if roles:
                quiz.append(
                    {
                        "roles": re.split(r"[\s,]+", roles.group(1).strip()),
                        "question": content[roles.end() :],
                        "choices": [],
                    }
                )
            else:
                quiz.append({"question": content, "choices": []})
        elif mark in "+-":
            if not quiz:
                raise FormatError(
                    _("Line %(n)s: a choice must follow a question (a line starting with ?).")
                    % {"n": number}
                )
            if SEPARATOR not in content:
                raise FormatError(
                    _("Line %(n)s: add “:: ” and the explanation after the choice.") % {"n": number}
                )
            choice_text, explanation = (p.strip() for p in content.split(SEPARATOR, 1))
            quiz[-1]["choices"].append(
                {"text": choice_text, "correct": mark == "+", "explanation": explanation}
            )
        else:
            raise FormatError(
                _(
                    "Line %(n)s: start with ? for a question, "
                    "+ for a right choice, - for a wrong one."
                )
                % {"n": number}
            )
    return quiz


def sources_to_text(sources: list[dict[str, str]]) -> str:
    return "\n".join(f"{s.get('title', '')} | {s.get('url', '')}" for s in sources)


def sources_from_text(text: str) -> list[dict[str, str]]:
    sources = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if "|" not in line:
            raise FormatError(
                _("Line %(n)s: write the title, then | and the web address.") % {"n": number}
            )
        title, url = (p.strip() for p in line.rsplit("|", 1))
        sources.append({"title": title, "url": url})
    return sources


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
