"""The discovery-time form of the outcome page (a GET form: the page stays shareable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.incidents.engine import PARIS

INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends
EARLIEST_YEAR = 2000
EARLIEST_MESSAGE = _("Enter a date after the year 2000.")
# The visitor's clock may be a little ahead of the server's.
FUTURE_TOLERANCE = dt.timedelta(minutes=15)


def paris_now() -> dt.datetime:
    """Now in Europe/Paris, to the minute (what a datetime-local input shows)."""
    return timezone.now().astimezone(PARIS).replace(second=0, microsecond=0)


class ParisDateTimeField(forms.DateTimeField):
    """A wall-clock time in Europe/Paris, whatever the active time zone.

    Unlike Django's field it accepts the two edge cases of daylight saving time instead of
    refusing them: a time that happens twice (autumn) is taken at its first occurrence, a time
    that does not exist (spring) moves forward by an hour.
    """

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(PARIS)
        parsed = BaseTemporalField.to_python(self, value)
        if parsed is None:
            return None
        naive: dt.datetime = parsed
        if naive.year < EARLIEST_YEAR:
            raise forms.ValidationError(EARLIEST_MESSAGE, code="too_early")
        local = naive.replace(tzinfo=PARIS, fold=0)
        return local.astimezone(dt.UTC).astimezone(PARIS)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(PARIS).replace(tzinfo=None)
        return value


class DiscoveryForm(forms.Form):
    decouverte = ParisDateTimeField(
        label=_("When did you discover the incident?"),
        help_text=_("Date and time in France (Paris time). Deadlines are counted from it."),
        # datetime-local first; then what a person types where the browser shows a text box.
        input_formats=[INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
        error_messages={
            "required": _("Enter the date and time of the discovery."),
            "invalid": _("Enter a valid date and time, for example 30/11/2026 14:05."),
        },
    )

    def clean_decouverte(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["decouverte"]
        if value > paris_now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The discovery cannot be in the future."))
        return value
