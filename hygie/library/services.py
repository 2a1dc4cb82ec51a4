"""Writing capsules from the console: every save is a new version, never an edit in place.

A shipped capsule edited by an organisation becomes that organisation's own capsule
(same slug, next version): other organisations keep the shipped text, and every
campaign keeps pointing at the exact version it sent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.lib.editing import (
    content_checksum,
    edit_audit_entry,
    next_version,
    raise_problems,
    refuse_foreign,
)
from hygie.library.models import Capsule
from hygie.library.selectors import EDITABLE, capsule_draft, capsule_problems


@transaction.atomic
def capsule_create(*, organisation: Organisation, data: dict[str, Any], actor: Actor) -> Capsule:
    """Save the editor's new capsule as the organisation's version 1 (hygie.lib.editing).

    Raises ValidationError with the problems of each field; nothing is saved then.
    """
    return _capsule_save(organisation=organisation, data=data, actor=actor, base=None)


@transaction.atomic
def capsule_edit(
    *, capsule: Capsule, organisation: Organisation, data: dict[str, Any], actor: Actor
) -> Capsule:
    """Save the editor's capsule as the organisation's next version of `capsule`.

    Raises ValidationError with the problems of each field; nothing is saved then.
    """
    refuse_foreign(capsule, organisation, _("This capsule belongs to another organisation."))
    return _capsule_save(organisation=organisation, data=data, actor=actor, base=capsule)


def _capsule_save(
    *, organisation: Organisation, data: dict[str, Any], actor: Actor, base: Capsule | None
) -> Capsule:
    capsule = capsule_draft(organisation=organisation, data=data, base=base)
    if base is not None:
        capsule.version = next_version(
            Capsule, organisation=organisation, slug=base.slug, language=base.language, lock=True
        )
    errors = capsule_problems(capsule)
    if base is None and capsule.slug:
        taken = Capsule.objects.filter(
            Q(organisation=None) | Q(organisation=organisation), slug=capsule.slug
        )
        if taken.exists():
            errors.setdefault("title", []).append(
                _("A capsule with a similar title exists already: edit it instead.")
            )
    raise_problems(errors)
    capsule.checksum = content_checksum(
        {name: getattr(capsule, name) for name in EDITABLE} | {"body": capsule.body_markdown}
    )
    capsule.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        **edit_audit_entry(kind="capsule", new=capsule, base=base),
    )
    return capsule
