"""What editing every content type shares: a save is a new version, checked by the schema.

Capsules and scenarios are edited in the console the same way. Each app has:

- `<kind>_form_initial(*, <kind>)` in its `editing.py`: one version read into the editor
  form's fields (the text formats an author types live beside it);
- `<kind>_edit(*, <kind>, organisation, data, actor)` in its `services.py`: the form's
  cleaned data saved as the organisation's next version, checked by the same schema the
  loader uses. Problems raise a `ValidationError` keyed by form field, and nothing is
  written; the view puts each one beside its field (`attach_problems`).

Every edit follows the same rules, held here: an organisation edits only shipped content
and its own (`refuse_foreign`); versions are numbered under a lock (`next_version`); the
new version keeps the edited one's state, a draft staying a draft and a published version
staying published (`kept_state`); and the audit says `<kind>.created` or `<kind>.edited`
with the slug and both versions (`edit_audit_entry`). Like all of `hygie.lib`, it imports
no app: organisations, users and versions are whatever model rows the app passes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone

PUBLISHED = "published"


def refuse_foreign(base: models.Model, organisation: models.Model, message: str) -> None:
    """Refuse to edit another organisation's version (shipped ones belong to nobody)."""
    if getattr(base, "organisation_id", None) not in (None, organisation.pk):
        raise ValidationError(message)


def next_version(
    model: type[models.Model],
    *,
    organisation: models.Model,
    slug: str,
    language: str,
    lock: bool = False,
) -> int:
    """The number the organisation's next save of this content gets: one above the
    highest shipped or own version. With `lock`, the content's versions are locked until
    the transaction ends, so that two editors cannot take the same number."""
    versions = model._default_manager.filter(slug=slug, language=language)
    if lock:
        list(versions.select_for_update().values_list("pk", flat=True))
    latest = versions.filter(Q(organisation__isnull=True) | Q(organisation=organisation)).aggregate(
        latest=Max("version")
    )["latest"]
    return (latest or 0) + 1


def raise_problems(problems: Mapping[str, list[str]]) -> None:
    """Raise the schema's problems, keyed by form field, if there is any."""
    found = {field: list(messages) for field, messages in problems.items() if messages}
    if found:
        raise ValidationError(found)


def content_checksum(data: Mapping[str, Any]) -> str:
    """The fingerprint of an edited version's content."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def kept_state(base: Any | None, *, editor: models.Model | None) -> dict[str, Any]:
    """The state fields of a new version: the edited version's state, kept. A published
    version edited by someone allowed to manage content stays published (they wrote it),
    signed by its editor; a draft stays a draft. Content without a state gets none."""
    if base is None or not hasattr(base, "status"):
        return {}
    published = base.status == PUBLISHED
    return {
        "status": base.status,
        "published_by": editor if published else None,
        "published_at": timezone.now() if published else None,
    }


def edit_audit_entry(*, kind: str, new: Any, base: Any | None) -> dict[str, Any]:
    """The audit entry of a save, for `audit_record(**entry, actor=…, organisation=…)`:
    `<kind>.edited` (or `<kind>.created` for new content), with the versions."""
    return {
        "action": f"{kind}.edited" if base is not None else f"{kind}.created",
        "target": new,
        "details": {
            "slug": new.slug,
            "version": new.version,
            "from_version": base.version if base is not None else None,
        },
    }


def attach_problems(form: forms.BaseForm, problems: Mapping[str, list[str]]) -> None:
    """Show each problem beside its field, or above the form when no field has its name."""
    for field, messages in problems.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def attach_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: per field when it names fields (beside each one,
    or above the form for a name the form lacks), otherwise above the form."""
    if hasattr(error, "error_dict"):
        attach_problems(form, error.message_dict)
    else:
        form.add_error(None, error)
