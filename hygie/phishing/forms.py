"""Console forms of simulations: campaigns, the announcement, scenario edits, reviews."""

from __future__ import annotations

import ipaddress
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.delivery.hosts import landing_hosts
from hygie.delivery.sending import profile_of
from hygie.delivery.windows import add_window_fields, clean_window_fields
from hygie.phishing.content.scenarios import place_label
from hygie.phishing.models import (
    AfterClick,
    AnnouncementChannel,
    Assignment,
    FlagPlace,
    Scenario,
    Verdict,
)
from hygie.phishing.selectors import launchable_scenarios


class SimulationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    scenarios = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Scenarios"),
        queryset=Scenario.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    assignment = forms.ChoiceField(
        label=gettext_lazy("How the scenarios are given"),
        choices=Assignment.choices,
        initial=Assignment.RANDOM,
        required=False,  # not given: at random
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "An A/B test sends each of two scenarios to half of the people, drawn at random, "
            "and the results compare them with the margin of error."
        ),
    )
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"), queryset=Segment.objects.none())
    send_start = forms.DateTimeField(
        label=gettext_lazy("Start sending at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Empty: as soon as it is launched."),
    )
    send_end = forms.DateTimeField(
        label=gettext_lazy("Finish sending by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy(
            "Messages are spread at random over the sending window until this date, "
            "so that colleagues do not receive them at the same minute."
        ),
    )
    after_click = forms.ChoiceField(
        label=gettext_lazy("After a click or a submission"),
        choices=AfterClick.choices,
        initial=AfterClick.TEACH,
        widget=forms.RadioSelect,
    )
    sender_domain = forms.ChoiceField(
        label=gettext_lazy("Sender domain"),
        required=False,  # not given: the main simulation domain
        help_text=gettext_lazy("Among the simulation domains of the sending settings."),
    )
    landing_host = forms.ChoiceField(
        label=gettext_lazy("Link host"),
        required=False,  # not given: the platform's default
        help_text=gettext_lazy(
            "Where the links lead: the platform's tracking host, or one of your simulation "
            "domains that the platform serves."
        ),
    )
    follow_up = forms.BooleanField(
        label=gettext_lazy("Enrol those who clicked in the capsule of the scenario's theme"),
        required=False,
    )
    report_link = forms.BooleanField(
        label=gettext_lazy(
            "End the message with how to report it: forward it to the reporting address"
        ),
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["scenarios"].queryset = launchable_scenarios(organisation)  # type: ignore[attr-defined]
        profile = profile_of(organisation.pk)
        self.fields["sender_domain"].choices = [(d, d) for d in profile.simulation_domains]  # type: ignore[attr-defined]
        self.fields["landing_host"].choices = [(h, h) for h in landing_hosts(profile)]  # type: ignore[attr-defined]
        add_window_fields(self, time_zone=organisation.time_zone, after="segment")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("send_start"), cleaned.get("send_end")
        if start and end and end <= start:
            self.add_error("send_end", _("The end must come after the start."))
        cleaned["hours"] = clean_window_fields(self, cleaned)
        cleaned["assignment"] = cleaned.get("assignment") or Assignment.RANDOM
        scenarios = cleaned.get("scenarios")
        if cleaned["assignment"] == Assignment.AB_TEST and scenarios and len(scenarios) != 2:
            self.add_error("scenarios", _("An A/B test compares exactly two scenarios."))
        return cleaned


class AnnouncementForm(forms.Form):
    announced_on = forms.DateField(
        label=gettext_lazy("Announced on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=AnnouncementChannel.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def clean_announced_on(self) -> date:
        value: date = self.cleaned_data["announced_on"]
        if value > date.today():  # noqa: DTZ011 - a calendar date typed by staff
            raise forms.ValidationError(_("The announcement cannot be in the future."))
        return value


class ScenarioForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    cues = forms.IntegerField(
        label=gettext_lazy("Cues a reader can see in the message"),
        min_value=0,
        help_text=gettext_lazy(
            "At least the red flags in the message; the difficulty (1 to 5) follows from the "
            "cues and the premise alignment."
        ),
    )
    premise = forms.ChoiceField(
        label=gettext_lazy("How closely the pretext matches the reader's work"),
        choices=[
            ("low", gettext_lazy("Low")),
            ("medium", gettext_lazy("Medium")),
            ("high", gettext_lazy("High")),
        ],
    )
    premise_note = forms.CharField(label=gettext_lazy("Why"), max_length=300)
    sender_name = forms.CharField(label=gettext_lazy("Sender name"), required=False)
    sender_local_part = forms.CharField(
        label=gettext_lazy("Sender address (before the @)"), required=False
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False)
    text_body = forms.CharField(
        label=gettext_lazy("Text version"), required=False, widget=forms.Textarea
    )
    html_body = forms.CharField(
        label=gettext_lazy("HTML version"), required=False, widget=forms.Textarea
    )
    sms_body = forms.CharField(
        label=gettext_lazy("SMS text"), required=False, widget=forms.Textarea
    )
    attachment_name = forms.CharField(
        label=gettext_lazy("Attachment file name (PDF)"),
        required=False,
        help_text=gettext_lazy("Empty with an empty content: no attachment."),
    )
    attachment_html = forms.CharField(
        label=gettext_lazy("Attachment content (HTML)"),
        required=False,
        widget=forms.Textarea,
        help_text=gettext_lazy(
            "Turned into a PDF for each person: {{ lien }} is their link, {{ qr_code }} a QR "
            "code of it."
        ),
    )
    landing_title = forms.CharField(label=gettext_lazy("Landing page title"))
    landing_html = forms.CharField(label=gettext_lazy("Landing page (HTML)"), widget=forms.Textarea)
    red_flags = forms.CharField(
        label=gettext_lazy("Red flags"),
        widget=forms.Textarea,
        help_text=gettext_lazy(
            "One per line: place | exact text it points at | explanation. Places: %(places)s."
        ),
    )

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the fields the channel uses (an SMS has no subject or HTML).
        unused = (
            (
                "subject",
                "text_body",
                "html_body",
                "sender_name",
                "sender_local_part",
                "attachment_name",
                "attachment_html",
            )
            if channel == "sms"
            else ("sms_body",)
        )
        for name in unused:
            del self.fields[name]
        field = self.fields["red_flags"]
        field.help_text = str(field.help_text) % {
            "places": ", ".join(place_label(code) for code in FlagPlace.values)
        }


class ReviewForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=Verdict.choices)
    scope = forms.ChoiceField(
        label=gettext_lazy("Apply to"),
        choices=[
            ("hit", gettext_lazy("this hit")),
            ("visitor", gettext_lazy("every hit of this visitor")),
            ("source", gettext_lazy("every hit from this address")),
        ],
        required=False,
    )


class ScannerNetworkForm(forms.Form):
    cidr = forms.CharField(label=gettext_lazy("Address range (CIDR)"), max_length=49)
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)

    def clean_cidr(self) -> str:
        value = self.cleaned_data["cidr"].strip()
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not an address range such as 192.0.2.0/24.") % {"value": value}
            ) from None
        if network.prefixlen < (8 if network.version == 4 else 24):
            raise forms.ValidationError(
                _("This range is too wide: it would treat ordinary people as robots.")
            )
        return str(network)
