from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation, User
from hygie.accounts.roles import Role
from hygie.accounts.services import ORGANISATION_SETTING_FIELDS


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SignUpForm(forms.Form):
    """Account creation for someone who accepts an invitation and has no account yet."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; a passphrase of several words is ideal."),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        candidate = User(
            email=self.email,
            first_name=self.data.get("first_name", ""),
            last_name=self.data.get("last_name", ""),
        )
        password_validation.validate_password(password, candidate)
        return password


class OrganisationSettingsForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ORGANISATION_SETTING_FIELDS
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}
