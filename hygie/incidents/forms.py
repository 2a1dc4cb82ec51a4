"""Forms of the assistant and of the desk.

- `DiscoveryForm`: the discovery time on the outcome page (a GET form: the page stays
  shareable);
- `ReportForm`: sending the report to an organisation, with consent (public, POST);
- `StatusForm`, `AssignForm`, `NoteForm`, `SlotForm`: the desk in the console.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import phonenumbers
from django import forms
from django.forms.fields import BaseTemporalField
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation, User
from hygie.audience.values import InvalidValue, clean_departement
from hygie.incidents import antispam, selectors
from hygie.incidents.assistant import MAX_PATH_LENGTH, PARIS
from hygie.incidents.models import CallbackSlot, ReportStatus

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
        return check_discovery(self.cleaned_data["decouverte"])


def check_discovery(value: dt.datetime) -> dt.datetime:
    if value > paris_now() + FUTURE_TOLERANCE:
        raise forms.ValidationError(_("The discovery cannot be in the future."), code="future")
    return value


# --- Sending a report (public) ---------------------------------------------------------


class HiddenDateTimeInput(forms.DateTimeInput):
    input_type = "hidden"


def slot_label(slot: CallbackSlot) -> str:
    """ "Tuesday 2 December, 14:00 – 14:30" in Paris time, in the active language."""
    start = slot.starts_at.astimezone(PARIS)
    end = slot.ends_at.astimezone(PARIS)
    return gettext("%(day)s, %(start)s – %(end)s") % {
        "day": formats.date_format(start, "l j F"),
        "start": formats.time_format(start, "H:i"),
        "end": formats.time_format(end, "H:i"),
    }


class SlotChoiceField(forms.ModelChoiceField[CallbackSlot]):
    def label_from_instance(self, obj: CallbackSlot) -> str:
        return slot_label(obj)


# Errors a robot makes: the view counts them against the client's rate limit.
# Refusals only a robot (or a replay) produces, counted against the sender's limits. A quick
# submit is not among them: a person whose browser fills the form in one go is not a robot.
SPAM_CODES = frozenset({"honeypot", "token_invalid"})


class ReportForm(forms.Form):
    """The report sent to an organisation from an outcome page.

    The position in the guide (path, outcome id) and the discovery time travel in hidden
    fields: nothing is kept on the server before the person presses Send. `token` and the
    honeypot field are the anti-robot measures of `antispam`. A callback is asked for by
    choosing one of the organisation's open time slots; without open slots the choice is not
    offered.
    """

    path = forms.CharField(widget=forms.HiddenInput, max_length=MAX_PATH_LENGTH)
    outcome = forms.CharField(widget=forms.HiddenInput, max_length=100)
    decouverte = ParisDateTimeField(
        widget=HiddenDateTimeInput(format=INPUT_FORMAT),
        input_formats=[INPUT_FORMAT],
        error_messages={
            "required": _("Enter a valid discovery time above, then send again."),
            "invalid": _("Enter a valid discovery time above, then send again."),
        },
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=300)

    name = forms.CharField(label=_("Your name"), max_length=150)
    practice = forms.CharField(label=_("Practice (optional)"), max_length=200, required=False)
    departement = forms.CharField(
        label=_("Département of the practice (optional)"),
        max_length=40,
        required=False,
        help_text=_("For example 33 or 2A. Used only for the statistics."),
    )
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything that helps: what you saw, what you already did. No passwords."),
    )
    slot = SlotChoiceField(
        label=_("Would you like to be called back?"),
        queryset=CallbackSlot.objects.none(),
        required=False,
        blank=True,
        empty_label=_("No call, thank you"),
        widget=forms.RadioSelect,
        help_text=_("Times are in France (Paris time)."),
        error_messages={
            "invalid_choice": _("This time slot is no longer available. Choose another one.")
        },
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to agree, or nothing can be sent.")},
    )
    # The honeypot: hidden from people, filled by robots (see antispam).
    homepage = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.form_token: antispam.FormToken | None = None
        # Evaluated now, in the request's language.
        self.fields["consent"].label = gettext(
            "I agree that this information is passed on to %(organisation)s so that they "
            "can help me."
        ) % {"organisation": organisation.in_sentence}
        slots = CallbackSlot.objects.filter(organisation=organisation).available()
        slot_field: SlotChoiceField = self.fields["slot"]  # type: ignore[assignment]
        slot_field.queryset = slots
        # Without open slots the choice is not shown; a slot posted anyway (taken in the
        # meantime) is refused as an invalid choice rather than silently dropped.
        self.offers_callback = slots.exists()
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["practice"].widget.attrs["autocomplete"] = "organization"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "type": "tel"})
        self.fields[antispam.HONEYPOT_FIELD].widget.attrs.update(
            {"autocomplete": "off", "tabindex": "-1"}
        )

    @property
    def is_spam(self) -> bool:
        """Whether validation failed for a reason only a robot (or a replay) produces."""
        return any(error.code in SPAM_CODES for error in self.errors.as_data().get("__all__", []))

    def clean_decouverte(self) -> dt.datetime:
        return check_discovery(self.cleaned_data["decouverte"])

    def clean_departement(self) -> str:
        try:
            return clean_departement(self.cleaned_data["departement"])
        except InvalidValue as error:
            raise forms.ValidationError(
                _("Enter the number of a French département, for example 33 or 2A."),
                code="departement",
            ) from error

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_practice(self) -> str:
        return " ".join(self.cleaned_data["practice"].split())

    def clean_phone(self) -> str:
        raw: str = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        invalid = forms.ValidationError(
            _("Enter a valid phone number, for example 06 12 34 56 78."), code="invalid_phone"
        )
        try:
            number = phonenumbers.parse(raw, "FR")
        except phonenumbers.NumberParseException:
            raise invalid from None
        if not phonenumbers.is_valid_number(number):
            raise invalid
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Robots first: nothing else is worth checking for them.
        if cleaned.get(antispam.HONEYPOT_FIELD):
            raise forms.ValidationError(
                _(
                    "Your report could not be sent: a field meant to catch robots was filled "
                    "in, sometimes by the browser's autofill. Your text is kept below: press "
                    "Send again."
                ),
                code="honeypot",
            )
        try:
            self.form_token = antispam.read_token(self.data.get("token", ""))
        except antispam.TokenError as error:
            if error.code == "expired":
                message = _("This page was open for too long. Check your details, then send again.")
            elif error.code == "too_fast":
                message = _(
                    "Your report was sent only a few seconds after the page opened, as robots "
                    "do. Please take a moment to check your details, then press Send again: "
                    "your text is kept below."
                )
            else:
                message = _(
                    "Your report could not be sent: this form could not be checked (the page "
                    "may be old or incomplete). Your text is kept below: press Send again."
                )
            raise forms.ValidationError(message, code=f"token_{error.code}") from None
        reachable = cleaned.get("email") or cleaned.get("phone")
        if not reachable and not self.has_error("email") and not self.has_error("phone"):
            self.add_error(
                None,
                forms.ValidationError(
                    _("Give an email address or a phone number so that the team can reach you."),
                    code="unreachable",
                ),
            )
        wants_call = cleaned.get("slot") is not None
        if wants_call and not cleaned.get("phone") and not self.has_error("phone"):
            self.add_error("phone", _("Give a phone number so that the team can call you back."))
        return cleaned


# --- The desk (console) ------------------------------------------------------------------


class HandlerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReportStatus.choices)


class AssignForm(forms.Form):
    assignee = HandlerChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: HandlerChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        field.queryset = selectors.incident_handlers(organisation)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the desk, never by the person who reported."),
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the note."), code="required")
        return text


MAX_SLOT_LENGTH = dt.timedelta(hours=8)


class SlotForm(forms.Form):
    starts_at = ParisDateTimeField(
        label=_("Starts"),
        input_formats=[INPUT_FORMAT, "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
        help_text=_("Paris time."),
    )
    ends_at = ParisDateTimeField(
        label=_("Ends"),
        input_formats=[INPUT_FORMAT, "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
    )
    capacity = forms.IntegerField(
        label=_("Calls in this slot"),
        min_value=1,
        max_value=50,
        initial=1,
        help_text=_("How many people can book this time."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts is not None and starts <= timezone.now():
            self.add_error("starts_at", _("Choose a time in the future."))
        if starts is not None and ends is not None:
            if ends <= starts:
                self.add_error("ends_at", _("The end must come after the start."))
            elif ends - starts > MAX_SLOT_LENGTH:
                self.add_error("ends_at", _("A slot lasts at most 8 hours."))
        return cleaned
