"""Words for each role in the practice.

A capsule's body may hold passages meant for some roles only, fenced like this:

    ::: roles secretary
    Prévenez le médecin tout de suite…
    :::

    ::: roles holder associate locum
    Prévenez votre secrétaire…
    :::

and a quiz question may carry `roles: [secretary]`. A reader sees the passages and the
questions of their own role, and every unmarked passage or question. The roles are
those of the audience (`PracticeRole`); a reader whose role was never given reads as
their profession suggests (a secretary or assistant as a secretary, a doctor as a
practice holder, anyone else as another health profession).
"""

from __future__ import annotations

import re
from typing import Any

from hygie.audience.models import PracticeRole, Profession

ROLES = tuple(value for value in PracticeRole.values if value)
DEFAULT_ROLE = PracticeRole.HOLDER.value
_BLOCK = re.compile(r"^:::[ \t]*roles?[ \t]+([^\n]*)\n(.*?)^:::[ \t]*$\n?", re.M | re.S)
_FENCE = re.compile(r"^:::.*$", re.M)


def reader_role(practice_role: str, profession: str) -> str:
    if practice_role in ROLES:
        return practice_role
    if profession in (Profession.SECRETARY, Profession.ASSISTANT):
        return PracticeRole.SECRETARY.value
    if profession in (Profession.NURSE, Profession.OTHER):
        return PracticeRole.OTHER_HEALTH.value
    return DEFAULT_ROLE


def _names(header: str) -> list[str]:
    return [name for name in re.split(r"[\s,]+", header.strip()) if name]


def has_role_passages(body: str) -> bool:
    return bool(_BLOCK.search(body))


def body_for_role(body: str, role: str) -> str:
    """The body as a reader with this role reads it."""
    return _BLOCK.sub(lambda m: m.group(2) if role in _names(m.group(1)) else "", body)


def shown_questions(quiz: list[dict[str, Any]], role: str) -> list[int]:
    """Indices of the questions this role is asked."""
    return [
        index
        for index, question in enumerate(quiz)
        if not question.get("roles") or role in question["roles"]
    ]


def role_problems(body: str, quiz: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Unknown roles, unclosed passages, and roles left with too few or many questions."""
    found: list[tuple[str, str]] = []
    for match in _BLOCK.finditer(body):
        names = _names(match.group(1))
        unknown = [name for name in names if name not in ROLES]
        if not names or unknown:
            found.append(
                ("body", f"unknown role in a passage: {', '.join(unknown) or '(none given)'}")
            )
    if _FENCE.search(_BLOCK.sub("", body)):
        found.append(("body", "a '::: roles' passage is not closed by a ':::' line"))
    for number, question in enumerate(quiz, start=1):
        roles = question.get("roles")
        if roles is not None and (
            not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles)
        ):
            found.append(("quiz", f"question {number}: roles must be a list among {ROLES}"))
    if any(question.get("roles") for question in quiz):
        for role in ROLES:
            if not 3 <= len(shown_questions(quiz, role)) <= 5:
                found.append(("quiz", f"the quiz for the role {role} needs 3 to 5 questions"))
    return found
