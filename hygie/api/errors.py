"""Validation errors of the API in the caller's language, in one place.

pydantic describes each error by a `type` (`string_too_long`), a location (`loc`) and
context values (`{"max_length": 150}`), with an English `msg`. An answer keeps the type
and the location, for programs, and gives instead of `msg` a sentence of the catalogue
naming the field, filled with the context values: `MESSAGES` maps every type the API's
schemas can produce (and the other common ones); any other type gets a generic sentence
naming the field, so that a French answer never carries pydantic's English.

An error raised by the API's own code (a service's refusal) has no pydantic type: its
message is already translated, and is kept, with the type `value_error`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext_lazy

OWN_ERROR = "value_error"

_TEXT = gettext_lazy("The field “%(field)s” must be text.")
_WHOLE_NUMBER = gettext_lazy("The field “%(field)s” must be a whole number.")
_NUMBER = gettext_lazy("The field “%(field)s” must be a number.")
_BOOLEAN = gettext_lazy("The field “%(field)s” must be true or false.")
_LIST = gettext_lazy("The field “%(field)s” must be a list.")
_OBJECT = gettext_lazy("The field “%(field)s” must be an object.")
_CHOICE = gettext_lazy("The field “%(field)s” must be one of: %(expected)s.")
_DATE = gettext_lazy("The field “%(field)s” must be a date (YYYY-MM-DD).")
_DATETIME = gettext_lazy("The field “%(field)s” must be a date and time (ISO 8601).")
_TIME = gettext_lazy("The field “%(field)s” must be a time (HH:MM).")
_ADDRESS = gettext_lazy("The field “%(field)s” must be a web address.")
GENERIC = gettext_lazy("The value of the field “%(field)s” is not valid.")

# pydantic's error types (pydantic_core's ErrorType), each with the context values its
# sentence uses; a plural sentence counts the value it names.
MESSAGES: dict[str, Promise] = {
    "missing": gettext_lazy("The field “%(field)s” is required."),
    "extra_forbidden": gettext_lazy("The field “%(field)s” is not expected."),
    "none_required": gettext_lazy("The field “%(field)s” must be null."),
    # Text
    "string_type": _TEXT,
    "string_sub_type": _TEXT,
    "string_unicode": gettext_lazy("The field “%(field)s” must be valid Unicode text."),
    "string_too_short": ngettext_lazy(
        "The field “%(field)s” must have at least %(min_length)s character.",
        "The field “%(field)s” must have at least %(min_length)s characters.",
        "min_length",
    ),
    "string_too_long": ngettext_lazy(
        "The field “%(field)s” must have at most %(max_length)s character.",
        "The field “%(field)s” must have at most %(max_length)s characters.",
        "max_length",
    ),
    "string_pattern_mismatch": gettext_lazy(
        "The field “%(field)s” does not have the expected form (pattern %(pattern)s)."
    ),
    # Numbers
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": gettext_lazy("The field “%(field)s” is too large a number."),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "finite_number": gettext_lazy("The field “%(field)s” must be a finite number."),
    "greater_than": gettext_lazy("The field “%(field)s” must be greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("The field “%(field)s” must be at least %(ge)s."),
    "less_than": gettext_lazy("The field “%(field)s” must be less than %(lt)s."),
    "less_than_equal": gettext_lazy("The field “%(field)s” must be at most %(le)s."),
    "multiple_of": gettext_lazy("The field “%(field)s” must be a multiple of %(multiple_of)s."),
    # Choices and booleans
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    # Lists and objects
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "iterable_type": _LIST,
    "too_short": ngettext_lazy(
        "The field “%(field)s” must have at least %(min_length)s item.",
        "The field “%(field)s” must have at least %(min_length)s items.",
        "min_length",
    ),
    "too_long": ngettext_lazy(
        "The field “%(field)s” must have at most %(max_length)s item.",
        "The field “%(field)s” must have at most %(max_length)s items.",
        "max_length",
    ),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    # Dates and times
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_past": gettext_lazy("The field “%(field)s” must be a date in the past."),
    "date_future": gettext_lazy("The field “%(field)s” must be a date in the future."),
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_past": gettext_lazy("The field “%(field)s” must be a moment in the past."),
    "datetime_future": gettext_lazy("The field “%(field)s” must be a moment in the future."),
    "timezone_naive": gettext_lazy("The field “%(field)s” must have no time zone."),
    "timezone_aware": gettext_lazy("The field “%(field)s” must have a time zone."),
    "time_type": _TIME,
    "time_parsing": _TIME,
    # Other formats
    "url_type": _ADDRESS,
    "url_parsing": _ADDRESS,
    "url_syntax_violation": _ADDRESS,
    "url_too_long": _ADDRESS,
    "url_scheme": _ADDRESS,
    "uuid_type": gettext_lazy("The field “%(field)s” must be a UUID."),
    "uuid_parsing": gettext_lazy("The field “%(field)s” must be a UUID."),
    "json_invalid": gettext_lazy("The field “%(field)s” must contain valid JSON."),
    "json_type": gettext_lazy("The field “%(field)s” must contain valid JSON."),
}


def _location(loc: Sequence[Any]) -> tuple[str, list[str | int]]:
    """Where the value was (`body`, `query` or `path`) and its path there, as the caller
    wrote it: `("body", "payload", "rows", 3, "email")` → `("body", ["rows", 3, "email"])`.
    ninja adds the view's parameter name (`payload`, `filters`), which no caller writes."""
    parts: list[str | int] = [p if isinstance(p, int) else str(p) for p in loc]
    if not parts or parts[0] not in ("body", "query", "path"):
        return "body", parts
    source, rest = str(parts[0]), parts[1:]
    if source == "body" and rest:
        rest = rest[1:]  # the one body parameter of every operation
    elif source == "query" and rest[:1] == ["filters"]:
        rest = rest[1:]
    return source, rest


def _shown(value: object) -> object:
    """A context value as a sentence shows it."""
    return value if isinstance(value, int | float | str) else str(value)


def _message(kind: str, field: str, context: Mapping[str, Any]) -> str:
    values: dict[str, object] = {name: _shown(value) for name, value in context.items()}
    values["field"] = field
    if kind in ("enum", "literal_error") and isinstance(context.get("expected"), str):
        # "'new', 'in_progress' or 'closed'" → "new, in_progress, closed"
        values["expected"] = ", ".join(re.findall(r"'([^']*)'", context["expected"]))
    template = MESSAGES.get(kind, GENERIC)
    try:
        return str(template % values)
    except (KeyError, TypeError, ValueError):  # a context value the sentence needs is absent
        return str(GENERIC % {"field": field})


def field_error(error: Mapping[str, Any]) -> dict[str, object]:
    """One error of a `ninja.errors.ValidationError`, as the API answers it: the field as
    the caller wrote it, a sentence in the active language, pydantic's type and location."""
    source, path = _location(error.get("loc", ()))
    field = ".".join(str(part) for part in path) or source
    kind = error.get("type")
    if not kind:
        # Raised by the API's own code with a message already in the caller's language.
        return {
            "field": field,
            "message": str(error.get("msg") or GENERIC % {"field": field}),
            "type": OWN_ERROR,
            "loc": [source, *path],
        }
    context = error.get("ctx")
    return {
        "field": field,
        "message": _message(str(kind), field, context if isinstance(context, Mapping) else {}),
        "type": str(kind),
        "loc": [source, *path],
    }
