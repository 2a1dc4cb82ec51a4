from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.audience.models import Segment
from hygie.delivery.models import Channel, Mailing

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
PLACEHOLDER_HELP = _(
    "Placeholders: {{ prenom }}, {{ nom }}, {{ civilite }}, {{ cabinet }}, {{ lien }}, "
    "{{ lien_desinscription }}, {{ organisation }}."
)


class MailingForm(forms.ModelForm):  # type: ignore[type-arg]
    subject = forms.CharField(
        label=_("Subject"), max_length=300, required=False, help_text=PLACEHOLDER_HELP
    )
    text_body = forms.CharField(
        label=_("Text version"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    html_body = forms.CharField(
        label=_("HTML version (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Scripts, forms and unknown tags are removed; styles are inlined."),
    )
    sms_body = forms.CharField(
        label=_("SMS text"),
        max_length=480,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    window_days = forms.TypedMultipleChoiceField(
        label=_("Sending days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )

    class Meta:
        model = Mailing
        fields = [
            "name",
            "segment",
            "channel",
            "from_name",
            "from_email",
            "reply_to",
            "window_days",
            "window_start",
            "window_end",
            "send_start",
            "send_end",
        ]
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}),
            "window_end": forms.TimeInput(attrs={"type": "time"}),
            "send_start": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "send_end": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["segment"].required = True
        self.fields["channel"].choices = Channel.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("window_start")
            and data.get("window_end")
            and data["window_start"] >= data["window_end"]
        ):
            self.add_error("window_end", _("The window must end after it starts."))
        if (
            data.get("send_start")
            and data.get("send_end")
            and data["send_start"] >= data["send_end"]
        ):
            self.add_error("send_end", _("The end must come after the start."))
        return data

    def mailing_fields(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def content(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("subject", "text_body", "html_body", "sms_body")
        }
