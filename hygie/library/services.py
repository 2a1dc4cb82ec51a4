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
from django.db.models import Q
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.library.models import Capsule
from hygie.library.selectors import EDITABLE, capsule_draft, capsule_problems


@transaction.atomic
def capsule_save(
    *,
    organisation: Organisation,
    actor: Actor,
    data: dict[str, Any],
    base: Capsule | None = None,
) -> Capsule:
    """Save the editor's capsule as a new version (of `base`, or a new capsule).

    Raises ValidationError with the problems of each field; nothing is saved then.
    """
    if base is not None and base.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This capsule belongs to another organisation."))
    capsule = capsule_draft(organisation=organisation, data=data, base=base)
    errors = capsule_problems(capsule)
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
    )
    return capsule
