from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.audience.departements import label as departement_label
from hygie.audience.mapping import AS_TAG, IGNORE, IMPORT_FIELDS
from hygie.audience.models import PersonStatus, Practice, PracticeRole, Profession
from hygie.audience.segments import SegmentFilters
from hygie.lib.form_fields import IdMultipleChoiceField


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Member file"),
        help_text=_(
            "CSV (any separator, UTF-8 or Windows encoding) or Excel .xlsx; "
            "first row = column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )


def mapping_choices() -> list[tuple[str, Any]]:
    return [
        (IGNORE, _("— ignore this column —")),
        (AS_TAG, _("keep as a tag")),
        *IMPORT_FIELDS.items(),
    ]


class MappingForm(forms.Form):
    """One select per column of the file, pre-filled with the guessed field."""

    keep_extra_as_tags = forms.BooleanField(
        label=_("Keep ignored columns as tags (“Column: value”)"), required=False
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, str],
        samples: list[list[str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.columns = []
        for index, header in enumerate(headers):
            name = f"col_{index}"
            examples = [row[index] for row in samples if index < len(row) and row[index]][:3]
            self.fields[name] = forms.ChoiceField(
                label=header or _("(column %(n)d)") % {"n": index + 1},
                choices=mapping_choices(),
                required=False,
                initial=mapping.get(str(index), IGNORE),
                help_text=", ".join(examples),
            )
            self.columns.append(name)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.columns]

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data.get(name) or IGNORE
            for name in self.columns
        }


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    departement = forms.CharField(label=_("Département"), required=False, max_length=3)
    profession = forms.ChoiceField(
        label=_("Profession"), required=False, choices=[("", _("All")), *Profession.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *PersonStatus.choices]
    )


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    departements = forms.MultipleChoiceField(label=_("Départements"), required=False)
    specialties = forms.MultipleChoiceField(label=_("Specialties"), required=False)
    professions = forms.MultipleChoiceField(
        label=_("Professions"), required=False, choices=Profession.choices
    )
    practice_roles = forms.MultipleChoiceField(
        label=_("Roles in the practice"),
        required=False,
        choices=[c for c in PracticeRole.choices if c[0]],
    )
    practice_ids = IdMultipleChoiceField(
        label=_("Practices"), required=False, queryset=Practice.objects.none()
    )
    tags = forms.MultipleChoiceField(label=_("Tags"), required=False)
    communes = forms.MultipleChoiceField(label=_("Communes"), required=False)
    import_ids = forms.TypedMultipleChoiceField(
        label=_("People of an import"), required=False, coerce=int
    )
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=PersonStatus.choices,
        initial=[PersonStatus.ACTIVE],
    )
    joined_after = forms.DateField(
        label=_("Added on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    never_read_capsule = forms.TypedChoiceField(
        label=_("Awareness history"),
        required=False,
        choices=[
            ("", _("Any")),
            ("1", _("Never opened a capsule")),
            ("0", _("Opened at least one capsule")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    clicked_last_simulation = forms.TypedChoiceField(
        label=_("Latest simulation"),
        required=False,
        choices=[
            ("", _("Any")),
            ("1", _("Clicked in the latest simulation")),
            ("0", _("Did not click in the latest simulation")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    joined_before = forms.DateField(
        label=_("Added on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        *args: Any,
        choices: dict[str, list[str]],
        practices: Any,
        imports: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        # Each value once, a département by its number and name ("33 – Gironde").
        fields["departements"].choices = [
            (d, departement_label(d)) for d in choices["departements"]
        ]
        fields["specialties"].choices = [(s, s) for s in choices["specialties"]]
        fields["tags"].choices = [(t, t) for t in choices["tags"]]
        fields["communes"].choices = [(c, c) for c in choices.get("communes", [])]
        fields["import_ids"].choices = [(pk, label) for pk, label in (imports or [])]
        fields["practice_ids"].queryset = practices
        # Ticked in a list that a filter box narrows (static/js/segment-count.js), not
        # Ctrl-clicked in a select.
        for name in (
            "departements",
            "specialties",
            "professions",
            "practice_roles",
            "communes",
            "practice_ids",
            "tags",
            "import_ids",
            "statuses",
        ):
            fields[name].widget = forms.CheckboxSelectMultiple(
                attrs={"class": "pick-list", "data-filterable": "1"},
                choices=fields[name].choices,
            )

    def filters(self) -> SegmentFilters:
        data = self.cleaned_data
        return SegmentFilters(
            departements=list(data.get("departements") or []),
            specialties=list(data.get("specialties") or []),
            professions=list(data.get("professions") or []),
            practice_roles=list(data.get("practice_roles") or []),
            practice_ids=[p.pk for p in data.get("practice_ids") or []],
            tags=list(data.get("tags") or []),
            communes=list(data.get("communes") or []),
            import_ids=list(data.get("import_ids") or []),
            statuses=list(data.get("statuses") or []),
            joined_after=data.get("joined_after"),
            joined_before=data.get("joined_before"),
            never_read_capsule=data.get("never_read_capsule"),
            clicked_last_simulation=data.get("clicked_last_simulation"),
        )

    @staticmethod
    def initial_from(filters: SegmentFilters) -> dict[str, Any]:
        return {
            "departements": filters.departements,
            "specialties": filters.specialties,
            "professions": filters.professions,
            "practice_roles": filters.practice_roles,
            "practice_ids": filters.practice_ids,
            "tags": filters.tags,
            "communes": filters.communes,
            "import_ids": filters.import_ids,
            "statuses": filters.statuses,
            "joined_after": filters.joined_after,
            "joined_before": filters.joined_before,
            "never_read_capsule": (
                ""
                if filters.never_read_capsule is None
                else "1"
                if filters.never_read_capsule
                else "0"
            ),
        }


class PracticeRoleForm(forms.Form):
    practice_role = forms.ChoiceField(
        label=_("Role in the practice"), required=False, choices=PracticeRole.choices
    )


class ConfirmEraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type ERASE to confirm"),
        max_length=10,
        help_text=_("The identity is removed for good; anonymous statistics are kept."),
    )

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip().upper() not in {"ERASE", "EFFACER"}:
            raise forms.ValidationError(_("Type ERASE to confirm."))
        return value
