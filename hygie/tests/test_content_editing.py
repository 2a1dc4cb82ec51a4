"""Every content type edited in the console has one shape (hygie.lib.editing):
`<kind>_form_initial(*, <kind>)` in the app's `editing.py` reads a version into the editor
form, `<kind>_edit(*, <kind>, organisation, data, actor)` in its `services.py` saves the
form's cleaned data as the organisation's next version through the loader's schema, a
problem is a `ValidationError` naming the field in French and writes nothing, the new
version keeps the edited one's state, and the audit says `<kind>.edited`."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.library.content import capsules_sync
from hygie.library.forms import CapsuleForm
from hygie.library.models import Capsule
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.forms import ScenarioForm
from hygie.phishing.models import Scenario, ScenarioStatus
from hygie.testing.text import plain

HYGIE = Path(__file__).resolve().parents[1]


def _scenario_form(data: Any, scenario: Scenario) -> forms.Form:
    return ScenarioForm(data, channel=scenario.channel)


def _capsule_form(data: Any, _capsule: Capsule) -> forms.Form:
    return CapsuleForm(data)


Kind = tuple[str, type[models.Model], Callable[..., forms.Form], Callable[[], Any], str]

# kind: (app, model, editor form, loader of the shipped files, a shipped slug)
EDITABLE: dict[str, Kind] = {
    "capsule": ("library", Capsule, _capsule_form, capsules_sync, "sauvegardes"),
    "scenario": (
        "phishing",
        Scenario,
        _scenario_form,
        scenarios_sync,
        "alerte-connexion-inhabituelle",
    ),
}

# kind: (a field, a value refused for it, the start of the French message)
REFUSED = {
    "capsule": ("reflexes", [], "il faut de 3 à 5 réflexes"),
    "scenario": ("red_flags", "Nulle part | x | y", "Ligne 1 : endroit « Nulle part » inconnu"),
}


def _editing(kind: str) -> Any:
    return importlib.import_module(f"hygie.{EDITABLE[kind][0]}.editing")


def _services(kind: str) -> Any:
    return importlib.import_module(f"hygie.{EDITABLE[kind][0]}.services")


def test_every_editable_content_type_exposes_the_one_shape():
    # An app with an editor has an `editing.py`; each of them is listed above.
    apps = {p.parent.name for p in HYGIE.glob("*/editing.py") if (p.parent / "apps.py").exists()}
    assert apps == {app for app, *_rest in EDITABLE.values()}
    for kind in EDITABLE:
        initial = inspect.signature(getattr(_editing(kind), f"{kind}_form_initial")).parameters
        assert list(initial) == [kind]
        edit = inspect.signature(getattr(_services(kind), f"{kind}_edit")).parameters
        assert list(edit) == [kind, "organisation", "data", "actor"]
        for parameters in (initial, edit):
            assert {p.kind for p in parameters.values()} == {inspect.Parameter.KEYWORD_ONLY}


def _shipped(kind: str) -> Any:
    _app, model, _form, sync, slug = EDITABLE[kind]
    sync()
    return model._default_manager.filter(organisation=None, slug=slug, language="fr").latest(
        "version"
    )


def _cleaned(kind: str, item: Any, **changes: Any) -> dict[str, Any]:
    """What the editor form hands the service when the author saves the version as read."""
    form = EDITABLE[kind][2](_editing(kind).__dict__[f"{kind}_form_initial"](**{kind: item}), item)
    assert form.is_valid(), form.errors
    return {**form.cleaned_data, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EDITABLE))
def test_an_edit_is_the_organisations_next_version_and_is_audited(
    kind, organisation, other_organisation, admin
):
    shipped = _shipped(kind)
    edit = getattr(_services(kind), f"{kind}_edit")
    new = edit(
        **{kind: shipped},
        organisation=organisation,
        data=_cleaned(kind, shipped, title="Titre revu"),
        actor=Actor.staff(admin, organisation),
    )
    assert (new.organisation, new.slug, new.version) == (
        organisation,
        shipped.slug,
        shipped.version + 1,
    )
    assert new.title == "Titre revu"
    # Read back into the form, the new version shows what was saved.
    assert _editing(kind).__dict__[f"{kind}_form_initial"](**{kind: new})["title"] == "Titre revu"
    shipped.refresh_from_db()
    assert shipped.title != "Titre revu"
    assert getattr(shipped, "status", None) == getattr(new, "status", None)
    entry = AuditEntry.objects.get(action=f"{kind}.edited")
    assert entry.actor == admin and entry.organisation == organisation
    assert entry.details == {
        "slug": shipped.slug,
        "version": new.version,
        "from_version": shipped.version,
    }
    # Another organisation's next version still follows the shipped one, not this one.
    again = edit(
        **{kind: shipped},
        organisation=other_organisation,
        data=_cleaned(kind, shipped),
        actor=Actor.staff(admin, other_organisation),
    )
    assert again.version == shipped.version + 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EDITABLE))
def test_a_refused_edit_names_the_field_in_french_and_writes_nothing(
    kind, organisation, other_organisation, admin, outsider
):
    model = EDITABLE[kind][1]
    field, value, french = REFUSED[kind]
    shipped = _shipped(kind)
    edit = getattr(_services(kind), f"{kind}_edit")
    before = (model._default_manager.count(), AuditEntry.objects.count())
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        edit(
            **{kind: shipped},
            organisation=organisation,
            data=_cleaned(kind, shipped, **{field: value}),
            actor=Actor.staff(admin, organisation),
        )
    messages = refused.value.message_dict[field]
    assert [plain(m)[: len(french)] for m in messages] == [french]
    assert (model._default_manager.count(), AuditEntry.objects.count()) == before
    # An organisation edits shipped content and its own, never another organisation's.
    theirs = edit(
        **{kind: shipped},
        organisation=other_organisation,
        data=_cleaned(kind, shipped),
        actor=Actor.staff(outsider, other_organisation),
    )
    before = (model._default_manager.count(), AuditEntry.objects.count())
    with translation.override("fr"), pytest.raises(ValidationError, match="autre organisation"):
        edit(
            **{kind: theirs},
            organisation=organisation,
            data=_cleaned(kind, theirs),
            actor=Actor.staff(admin, organisation),
        )
    assert (model._default_manager.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ScenarioStatus.DRAFT, ScenarioStatus.PUBLISHED])
def test_an_edited_scenario_stays_in_its_state(status, organisation, admin):
    from hygie.phishing.services import scenario_edit

    shipped = _shipped("scenario")
    Scenario.objects.filter(pk=shipped.pk).update(status=status)
    shipped.refresh_from_db()
    new = scenario_edit(
        scenario=shipped,
        organisation=organisation,
        data=_cleaned("scenario", shipped),
        actor=Actor.staff(admin, organisation),
    )
    assert new.status == status
    published = status == ScenarioStatus.PUBLISHED
    assert (new.published_by, new.published_at is not None) == (
        (admin, True) if published else (None, False)
    )
