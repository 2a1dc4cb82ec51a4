from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hygie.api.scopes import Scope
from hygie.lib import events

EVENT_LABELS = {
    events.REPORT_RECEIVED: _("A member reported a message"),
    events.REPORT_GROUP_ALERTED: _("An alert was sent about reported messages"),
    events.INCIDENT_SUBMITTED: _("An incident report was sent"),
    events.INCIDENT_STATUS_CHANGED: _("An incident report changed status"),
    events.CALLBACK_REQUESTED: _("A member asked to be called back"),
    events.CAMPAIGN_LAUNCHED: _("A campaign was launched"),
    events.CAMPAIGN_FINISHED: _("A campaign finished"),
    events.IMPORT_FINISHED: _("An import of members finished"),
}


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("What the token is for."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        # The code beside each label: it is what the reference and the errors name. Both are
        # this module's constants, never input.
        choices=[
            (value, mark_safe(format_lazy("{} <code>{}</code>", label, value)))
            for value, label in Scope.choices
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address that will receive the events, signed (Standard Webhooks)."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, EVENT_LABELS[name]) for name in events.ALL_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
