"""Form fields that refuse values no database column can hold, before any query runs.

A row identifier typed in a URL ("?practice_ids=1180591620717411303424") would reach
the database as is: SQLite raises OverflowError and PostgreSQL an out-of-range error,
both server errors. These fields turn such values into an ordinary form error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The largest value of a 64-bit signed primary key.
MAX_ID = 2**63 - 1


def _is_id(value: object) -> bool:
    text = str(value).strip()
    return text.isdigit() and text.isascii() and 0 < int(text) <= MAX_ID


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def clean(self, value: Any) -> Any:
        items = value if isinstance(value, list | tuple) else [value] if value else []
        for item in items:
            if not _is_id(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:20]},
                )
        return super().clean(value)
