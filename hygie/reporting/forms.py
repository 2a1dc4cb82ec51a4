from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.reporting.models import Classification, Security
from hygie.reporting.polling import allowed_ports
from hygie.reporting.replies import ANSWERS


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label=_("Reporting address"),
        required=False,
        help_text=_("The address practitioners forward suspicious messages to."),
    )
    host = forms.CharField(label=_("IMAP server"), max_length=253)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label=_("Connection security"), choices=Security.choices, initial=Security.SSL
    )
    username = forms.CharField(label=_("User name"), max_length=254)
    # Never rendered back: leaving it empty keeps the stored password.
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current one."),
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    processed_folder = forms.CharField(
        label=_("Move processed messages to"),
        max_length=200,
        required=False,
        help_text=_("Empty: processed messages stay in the folder, marked as read."),
    )
    poll_minutes = forms.IntegerField(
        label=_("Check every (minutes)"), min_value=1, max_value=1440, initial=5
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False)

    def clean_port(self) -> int:
        port = int(self.cleaned_data["port"])
        if port not in allowed_ports():
            raise forms.ValidationError(
                _("Port %(port)d is not allowed: use an IMAP port (%(ports)s).")
                % {"port": port, "ports": ", ".join(str(p) for p in allowed_ports())}
            )
        return port

    answers_reports = forms.BooleanField(
        label=_("Reports are triaged"),
        required=False,
        initial=True,
        help_text=_("The automatic answer promises that someone will say what the message was."),
    )


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=[c for c in Classification.choices if c[0] != Classification.NEW],
    )


ANSWER_LABELS = {
    "phishing": _("It is phishing: delete it"),
    "spam": _("It is spam, not dangerous"),
    "legitimate": _("It is a genuine message"),
}


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=[(a, ANSWER_LABELS[a]) for a in ANSWERS])
    note = forms.CharField(
        label=_("Personal note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SmsReportForm(forms.Form):
    text = forms.CharField(
        label=_("The text of the SMS"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Copy the whole message, link included, without opening the link."),
    )
    email = forms.EmailField(
        label=_("Your email address (optional, to be answered)"), required=False
    )
