from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hygie.accounts.models import Organisation
from hygie.audience.models import PracticeRole
from hygie.lib.editing import next_version
from hygie.library import reader_roles
from hygie.library.content import render_body
from hygie.library.models import Capsule
from hygie.library.quiz import ShownQuestion, shuffled
from hygie.library.schema import field_problems


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


# --- The capsule editor (what a save would write, and what is wrong with it) ---------

# Fields the editor sets; everything else (slug, version, language) follows from them.
EDITABLE = (
    "title",
    "promise",
    "theme",
    "reading_minutes",
    "audience",
    "audience_notes",
    "reflexes",
    "quiz",
    "sources",
)


def capsule_draft(
    *, organisation: Organisation, data: dict[str, Any], base: Capsule | None = None
) -> Capsule:
    """An unsaved capsule from the editor's data: what the preview shows."""
    capsule = Capsule(
        organisation=organisation,
        slug=base.slug if base else slugify(str(data.get("title", "")))[:100],
        language=base.language if base else organisation.language,
        version=capsule_next_version(organisation, base.slug, base.language) if base else 1,
        last_reviewed=timezone.localdate(),
        body_markdown=str(data.get("body", "")),
        body_html=render_body(
            reader_roles.body_for_role(str(data.get("body", "")), reader_roles.DEFAULT_ROLE)
        ),
    )
    for name in EDITABLE:
        if name in data:
            setattr(capsule, name, data[name])
    return capsule


def capsule_problems(capsule: Capsule) -> dict[str, list[str]]:
    """The schema's verdict on a capsule, grouped by field."""
    meta = {name: getattr(capsule, name) for name in EDITABLE}
    meta.update(
        slug=capsule.slug,
        language=capsule.language,
        version=capsule.version,
        last_reviewed=capsule.last_reviewed,
    )
    grouped: dict[str, list[str]] = {}
    for field, message in field_problems(meta, capsule.body_markdown):
        grouped.setdefault(field, []).append(message)
    if not capsule.slug:
        grouped.setdefault("title", []).append(_("The title must contain letters or digits."))
    return grouped


def capsule_next_version(organisation: Organisation, slug: str, language: str) -> int:
    """The version a new save of this capsule gets in this organisation."""
    return next_version(Capsule, organisation=organisation, slug=slug, language=language)
