from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.audience.models import Language


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your messages and of this space"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )
