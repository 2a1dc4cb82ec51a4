"""The console's capsule editor form: text fields turned into the capsule's structure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.library import editing
from hygie.library.themes import THEMES

AUDIENCE_CHOICES = (("doctor", _("Doctors")), ("staff", _("Practice staff")))


class CapsuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    promise = forms.CharField(
        label=_("Promise"), max_length=200, help_text=_("One line: what the reader will gain.")
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=list(THEMES.items()))
    reading_minutes = forms.IntegerField(label=_("Reading time (minutes)"), initial=3)
    audience = forms.MultipleChoiceField(
        label=_("Written for"),
        choices=AUDIENCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["doctor", "staff"],
    )
    audience_notes = forms.CharField(
        label=_("Notes on the audience"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("2 to 4 minutes of reading. ## for a heading, - for a list."),
    )
    reflexes = forms.CharField(
        label=_("Key reflexes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, 3 to 5."),
    )
    quiz = forms.CharField(
        label=_("Quiz"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "“? question”, then one line per choice: “+ right choice :: explanation” or "
            "“- wrong choice :: explanation”. 3 to 5 questions."
        ),
    )
    sources = forms.CharField(
        label=_("Sources"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: title | https://address"),
    )

    def clean_reflexes(self) -> list[str]:
        return editing.lines(self.cleaned_data["reflexes"])

    def clean_quiz(self) -> list[dict[str, Any]]:
        try:
            return editing.quiz_from_text(self.cleaned_data["quiz"])
        except editing.FormatError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_sources(self) -> list[dict[str, str]]:
        try:
            return editing.sources_from_text(self.cleaned_data["sources"])
        except editing.FormatError as exc:
            raise forms.ValidationError(str(exc)) from None
