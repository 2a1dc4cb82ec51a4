from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from hygie.accounts.models import Organisation
from hygie.audience.models import PracticeRole
from hygie.library import reader_roles
from hygie.library.content import render_body
from hygie.library.models import Capsule
from hygie.library.quiz import ShownQuestion, shuffled


def available_capsules(organisation: Organisation, language: str = "fr") -> QuerySet[Capsule]:
    """The latest version of each capsule usable by the organisation."""
    rows = Capsule.objects.filter(language=language).filter(
        organisation__isnull=True
    ) | Capsule.objects.filter(language=language, organisation=organisation)
    latest: dict[str, int] = {}
    # Ordered by version, newest first: the first row seen for a slug is its latest.
    for pk, slug in rows.order_by("slug", "-version").values_list("pk", "slug"):
        latest.setdefault(slug, pk)
    return Capsule.objects.filter(pk__in=latest.values()).order_by("theme", "title")


@dataclass(frozen=True)
class ReaderCapsule:
    """A capsule as one reader sees it: the words of their role, their questions in their
    own order (see `quiz` and `roles`)."""

    role: str
    body_html: str
    asked: list[int]
    questions: list[ShownQuestion]


def role_of(*, practice_role: str, profession: str) -> str:
    return reader_roles.reader_role(practice_role, profession)


def capsule_for_reader(capsule: Capsule, *, role: str, token: str) -> ReaderCapsule:
    asked = reader_roles.shown_questions(capsule.quiz, role)
    body_html = capsule.body_html
    if reader_roles.has_role_passages(capsule.body_markdown):
        body_html = render_body(reader_roles.body_for_role(capsule.body_markdown, role))
    return ReaderCapsule(
        role=role,
        body_html=body_html,
        asked=asked,
        questions=shuffled(capsule.quiz, token, asked),
    )


def role_choices() -> list[tuple[str, str]]:
    """The roles a capsule can address, with their labels, for a preview switcher."""
    return [(value, str(label)) for value, label in PracticeRole.choices if value]


DEFAULT_ROLE = reader_roles.DEFAULT_ROLE
