"""Writing capsules from the console: every save is a new version, never an edit in place.

A shipped capsule edited by an organisation becomes that organisation's own capsule
(same slug, next version): other organisations keep the shipped text, and every
campaign keeps pointing at the exact version it sent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.library.content import render_body
from hygie.library.models import Capsule
from hygie.library.reader_roles import DEFAULT_ROLE, body_for_role
from hygie.library.schema import field_problems

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


def draft(
    *, organisation: Organisation, data: dict[str, Any], base: Capsule | None = None
) -> Capsule:
    """An unsaved capsule from the editor's data: what the preview shows."""
    capsule = Capsule(
        organisation=organisation,
        slug=base.slug if base else slugify(str(data.get("title", "")))[:100],
        language=base.language if base else organisation.language,
        version=next_version(organisation, base.slug, base.language) if base else 1,
        last_reviewed=timezone.localdate(),
        body_markdown=str(data.get("body", "")),
        body_html=render_body(body_for_role(str(data.get("body", "")), DEFAULT_ROLE)),
    )
    for name in EDITABLE:
        if name in data:
            setattr(capsule, name, data[name])
    return capsule


def problems(capsule: Capsule) -> dict[str, list[str]]:
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


def next_version(organisation: Organisation, slug: str, language: str) -> int:
    latest = Capsule.objects.filter(
        Q(organisation=None) | Q(organisation=organisation), slug=slug, language=language
    ).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


@transaction.atomic
def capsule_save(
    *,
    organisation: Organisation,
    actor: User,
    data: dict[str, Any],
    base: Capsule | None = None,
    request: HttpRequest | None = None,
) -> Capsule:
    """Save the editor's capsule as a new version (of `base`, or a new capsule).

    Raises ValidationError with the problems of each field; nothing is saved then.
    """
    if base is not None and base.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This capsule belongs to another organisation."))
    capsule = draft(organisation=organisation, data=data, base=base)
    errors = problems(capsule)
    if base is None and capsule.slug:
        taken = Capsule.objects.filter(
            Q(organisation=None) | Q(organisation=organisation), slug=capsule.slug
        )
        if taken.exists():
            errors.setdefault("title", []).append(
                _("A capsule with a similar title exists already: edit it instead.")
            )
    if errors:
        raise ValidationError(errors)
    capsule.checksum = hashlib.sha256(
        json.dumps(
            {name: getattr(capsule, name) for name in EDITABLE} | {"body": capsule.body_markdown},
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    capsule.save()
    audit_record(
        action="capsule.edited" if base else "capsule.created",
        actor=actor,
        organisation=organisation,
        target=capsule,
        details={
            "slug": capsule.slug,
            "version": capsule.version,
            "from_version": base.version if base else None,
        },
        request=request,
    )
    return capsule
