"""Console forms of the awareness pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.awareness.models import Programme
from hygie.delivery.windows import SendingHours, add_window_fields, clean_window_fields
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules
from hygie.library.themes import THEMES


def parse_days(value: str) -> list[int]:
    """'7' or '7, 14' → [7, 14]; an empty field means no reminder."""
    days = []
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise forms.ValidationError(_("“%(value)s” is not a number of days.") % {"value": part})
        days.append(int(part))
    return days


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    capsule = forms.ModelChoiceField(label=gettext_lazy("Capsule"), queryset=Capsule.objects.none())
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"), queryset=Segment.objects.none())
    reminder_days = forms.CharField(
        label=gettext_lazy("Reminders (days after sending)"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "For example 7: one reminder a week later, only to those who have not read. "
            "Empty: no reminder."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capsule"].queryset = available_capsules(organisation)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        # The organisation's usual reminder, if it allows any.
        programme = Programme.objects.filter(organisation=organisation).first()
        usual = programme.reminder_days if programme else Programme().reminder_days
        allowed = programme.max_reminders if programme else Programme().max_reminders
        if usual and allowed:
            self.fields["reminder_days"].initial = str(usual)
        add_window_fields(self, time_zone=organisation.time_zone, after="segment")

    def clean_reminder_days(self) -> list[int]:
        return parse_days(self.cleaned_data["reminder_days"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["hours"] = clean_window_fields(self, cleaned)
        return cleaned

    @property
    def hours(self) -> SendingHours:
        hours: SendingHours = self.cleaned_data["hours"]
        return hours


class ProgrammeForm(forms.ModelForm[Programme]):
    theme_order = forms.CharField(
        label=gettext_lazy("Planned order of themes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One theme per line, written as in this list; used when themes follow your order. "
            "Themes: %(themes)s."
        ),
    )

    class Meta:
        model = Programme
        fields = (
            "enabled",
            "segment",
            "start_date",
            "every_weeks",
            "theme_mode",
            "theme_order",
            "lead_days",
            "auto_send",
            "reminder_days",
            "max_reminders",
        )
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        field = self.fields["theme_order"]
        # Themes by their names, in the page's language; codes are still read (older notes).
        field.help_text = str(field.help_text) % {
            "themes": "; ".join(str(label) for label in THEMES.values())
        }
        if self.instance.pk and not self.is_bound:
            self.initial["theme_order"] = "\n".join(
                str(THEMES.get(code, code)) for code in self.instance.theme_order
            )

    def clean_theme_order(self) -> list[str]:
        by_name = {_folded(str(label)): code for code, label in THEMES.items()}
        by_name.update({code: code for code in THEMES})
        lines = [line.strip() for line in self.cleaned_data["theme_order"].splitlines()]
        order = [line for line in lines if line]
        unknown = [line for line in order if _folded(line) not in by_name and line not in by_name]
        if unknown:
            raise forms.ValidationError(
                _("Unknown theme(s): %(names)s.") % {"names": ", ".join(unknown)}
            )
        return [by_name.get(line) or by_name[_folded(line)] for line in order]


def _folded(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
