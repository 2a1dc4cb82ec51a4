from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django import forms
from django.conf import settings
from django.core.validators import validate_domain_name
from django.utils.translation import gettext_lazy as _

from hygie.audience.models import Segment
from hygie.delivery.models import Channel, Mailing, SendingProfile
from hygie.delivery.windows import WEEKDAYS, zone_help

PLACEHOLDER_HELP = _(
    "Placeholders: {{ salutation }} (“Bonjour Docteur Lefèvre”, or “Bonjour” alone when the "
    "name is not known), {{ prenom }}, {{ nom }}, {{ civilite }}, {{ cabinet }}, {{ lien }}, "
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
        labels = {"window_start": _("Sending from"), "window_end": _("Sending until")}
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
        self.fields["window_start"].help_text = zone_help(organisation.time_zone)

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


LINK_WORD = re.compile(r"[a-z][a-z0-9-]{1,19}")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,60}")
MAX_EXTRA_DOMAINS = 10


def _domain(value: str) -> str:
    """A simulation domain as typed, checked: a registrable name, never our own hosts."""
    domain = value.strip().lower().rstrip(".")
    try:
        validate_domain_name(domain)
    except forms.ValidationError:
        raise forms.ValidationError(
            _("“%(value)s” is not a domain name.") % {"value": value.strip()}
        ) from None
    if "." not in domain:
        raise forms.ValidationError(
            _("“%(value)s” is not a full domain name (example: espace-pro-sante.fr).")
            % {"value": domain}
        )
    console_host = (urlsplit(settings.PUBLIC_BASE_URL).hostname or "").lower()
    if domain == console_host or console_host.endswith("." + domain):
        raise forms.ValidationError(
            _("“%(value)s” is the platform's own address: a simulation needs a look-alike.")
            % {"value": domain}
        )
    return domain


class SendingProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """The organisation's sending settings. Bad values are refused with what is wrong;
    the DKIM key is never shown back, and left empty it is kept."""

    extra_simulation_domains = forms.CharField(
        label=_("Other simulation domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. A campaign chooses its sender domain among them."),
    )
    link_words = forms.CharField(
        label=_("Words of the link paths"),
        required=False,
        help_text=_(
            "Separated by spaces or commas (lower-case letters, digits, hyphens). Each "
            "campaign's links start with one of them and four random characters, so that "
            "filters find no fixed pattern. Empty: a built-in list."
        ),
    )
    dkim_private_key = forms.CharField(
        label=_("DKIM private key (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Never shown again once saved. Leave empty to keep the current key."),
    )
    remove_dkim_key = forms.BooleanField(
        label=_("Remove the DKIM key (send unsigned)"), required=False
    )

    class Meta:
        model = SendingProfile
        fields = (
            "rate_per_minute",
            "simulation_domain",
            "extra_simulation_domains",
            "link_words",
            "return_path",
            "dkim_domain",
            "dkim_selector",
            "dkim_private_key",
            "identification_header",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.initial["extra_simulation_domains"] = "\n".join(profile.extra_simulation_domains)
        self.initial["link_words"] = " ".join(profile.link_words)
        self.initial["dkim_private_key"] = ""
        self.fields["rate_per_minute"].min_value = 1  # type: ignore[attr-defined]
        if profile.dkim_private_key:
            self.fields["dkim_private_key"].help_text = _(
                "A key is saved (not shown). Paste a new one to replace it."
            )

    def clean_rate_per_minute(self) -> int:
        rate: int = self.cleaned_data["rate_per_minute"]
        if not 1 <= rate <= 100_000:
            raise forms.ValidationError(_("Between 1 and 100,000 messages per minute."))
        return rate

    def clean_simulation_domain(self) -> str:
        value: str = self.cleaned_data["simulation_domain"]
        return _domain(value) if value.strip() else ""

    def clean_extra_simulation_domains(self) -> list[str]:
        lines = [line for line in self.cleaned_data["extra_simulation_domains"].split() if line]
        domains = list(dict.fromkeys(_domain(line) for line in lines))
        if len(domains) > MAX_EXTRA_DOMAINS:
            raise forms.ValidationError(
                _("At most %(n)d other domains.") % {"n": MAX_EXTRA_DOMAINS}
            )
        return domains

    def clean_link_words(self) -> list[str]:
        words = [w for w in re.split(r"[\s,;]+", self.cleaned_data["link_words"].lower()) if w]
        wrong = [w for w in words if not LINK_WORD.fullmatch(w)]
        if wrong:
            raise forms.ValidationError(
                _("Not usable in a link: %(words)s (2 to 20 lower-case letters, digits, hyphens).")
                % {"words": ", ".join(wrong)}
            )
        return list(dict.fromkeys(words))[:50]

    def clean_dkim_domain(self) -> str:
        value: str = self.cleaned_data["dkim_domain"].strip().lower()
        if value:
            try:
                validate_domain_name(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("Not a domain name.")) from None
        return value

    def clean_dkim_selector(self) -> str:
        value: str = self.cleaned_data["dkim_selector"].strip()
        if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", value):
            raise forms.ValidationError(_("A selector is letters, digits, dots and hyphens."))
        return value

    def clean_dkim_private_key(self) -> str:
        pem: str = self.cleaned_data["dkim_private_key"].strip()
        if not pem:
            return str(self.instance.dkim_private_key)  # kept
        try:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("Not a readable private key: paste the whole PEM block, unencrypted.")
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise forms.ValidationError(_("The DKIM key must be an RSA key."))
        if key.key_size < 1024:
            raise forms.ValidationError(_("An RSA key of at least 1024 bits (2048 advised)."))
        return pem + "\n"

    def clean_identification_header(self) -> str:
        value: str = self.cleaned_data["identification_header"].strip()
        if not value:
            return ""
        name, colon, content = value.partition(":")
        if (
            not colon
            or not HEADER_NAME.fullmatch(name.strip())
            or not content.strip()
            or any(ord(c) < 32 or ord(c) == 127 for c in value)
        ):
            raise forms.ValidationError(
                _("Write it as “Name: value” on one line, e.g. X-Exercice: 2026-automne.")
            )
        return f"{name.strip()}: {content.strip()}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_dkim_key"):
            cleaned["dkim_private_key"] = ""
        key = cleaned.get("dkim_private_key")
        if key and not (cleaned.get("dkim_domain") and cleaned.get("dkim_selector")):
            self.add_error("dkim_domain", _("A DKIM key needs its domain and selector."))
        return cleaned


class ScheduleForm(forms.ModelForm):  # type: ignore[type-arg]
    """The window and pace of a paused mailing: what is left to send is spread again."""

    window_days = forms.TypedMultipleChoiceField(
        label=_("Sending days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Mailing
        fields = ["window_days", "window_start", "window_end", "send_end"]
        labels = {"window_start": _("Sending from"), "window_end": _("Sending until")}
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}),
            "window_end": forms.TimeInput(attrs={"type": "time"}),
            "send_end": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and start >= end:
            self.add_error("window_end", _("The window must end after it starts."))
        return data
