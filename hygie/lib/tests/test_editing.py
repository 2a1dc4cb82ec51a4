"""The rules every content editor shares (hygie.lib.editing), checked on their own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import AuditEntry
from hygie.lib.editing import (
    attach_problems,
    content_checksum,
    edit_audit_entry,
    kept_state,
    next_version,
    raise_problems,
    refuse_foreign,
)
from hygie.library.models import Capsule


def _capsule(organisation, version: int, slug: str = "sauvegardes", language: str = "fr"):
    return Capsule.objects.create(
        organisation=organisation,
        slug=slug,
        language=language,
        version=version,
        title=f"Version {version}",
        last_reviewed="2026-01-01",
        checksum="x",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lock", [False, True])
def test_the_next_version_follows_the_shipped_and_own_versions_only(
    lock, organisation, other_organisation
):
    assert next_version(Capsule, organisation=organisation, slug="sauvegardes", language="fr") == 1
    _capsule(None, 2)
    _capsule(other_organisation, 5)  # another organisation's versions do not count
    _capsule(None, 9, language="en")  # nor another language's
    _capsule(None, 9, slug="autre")  # nor another content's
    assert (
        next_version(
            Capsule, organisation=organisation, slug="sauvegardes", language="fr", lock=lock
        )
        == 3
    )
    _capsule(organisation, 3)
    assert (
        next_version(
            Capsule, organisation=organisation, slug="sauvegardes", language="fr", lock=lock
        )
        == 4
    )


@pytest.mark.django_db
def test_an_organisation_edits_shipped_content_and_its_own_only(organisation, other_organisation):
    refuse_foreign(_capsule(None, 1), organisation, "refusé")
    refuse_foreign(_capsule(organisation, 2), organisation, "refusé")
    with pytest.raises(ValidationError, match="refusé"):
        refuse_foreign(_capsule(other_organisation, 2), organisation, "refusé")


@pytest.mark.django_db
def test_an_edited_version_keeps_its_state(admin):
    published = kept_state(SimpleNamespace(status="published"), editor=admin)
    assert (published["status"], published["published_by"]) == ("published", admin)
    assert published["published_at"] is not None
    draft = kept_state(SimpleNamespace(status="draft"), editor=admin)
    assert draft == {"status": "draft", "published_by": None, "published_at": None}
    # Content without a state (capsules), or new content, gets no state field.
    assert kept_state(SimpleNamespace(version=1), editor=admin) == {}
    assert kept_state(None, editor=admin) == {}


def test_problems_are_raised_by_field_and_none_raise_nothing():
    raise_problems({})
    raise_problems({"title": []})
    with pytest.raises(ValidationError) as raised:
        raise_problems({"title": ["trop long"], "body": ["vide", "sans titre"], "slug": []})
    assert raised.value.message_dict == {"title": ["trop long"], "body": ["vide", "sans titre"]}


def test_a_problem_goes_beside_its_field_or_above_the_form():
    class Form(forms.Form):
        title = forms.CharField()

    form = Form({"title": "Titre"})
    assert form.is_valid()
    attach_problems(form, {"title": ["trop long"], "version": ["déjà prise"]})
    assert form.errors == {"title": ["trop long"], "__all__": ["déjà prise"]}


def test_the_checksum_depends_on_the_content_not_on_the_order_of_its_keys():
    assert content_checksum({"a": 1, "b": "é"}) == content_checksum({"b": "é", "a": 1})
    assert content_checksum({"a": 1, "b": "é"}) != content_checksum({"a": 1, "b": "e"})


@pytest.mark.django_db
def test_the_audit_names_every_kind_the_same_way(organisation, admin):
    base = _capsule(organisation, 1)
    new = _capsule(organisation, 2)
    actor = Actor.staff(admin, organisation)
    for entry in (
        edit_audit_entry(kind="capsule", new=new, base=base),
        edit_audit_entry(kind="scenario", new=base, base=None),
    ):
        audit_record(actor=actor, organisation=organisation, **entry)
    entries = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.details) for e in entries] == [
        ("capsule.edited", {"slug": "sauvegardes", "version": 2, "from_version": 1}),
        ("scenario.created", {"slug": "sauvegardes", "version": 1, "from_version": None}),
    ]
    assert [e.target_id for e in entries] == [str(new.pk), str(base.pk)]
    assert {(e.actor, e.organisation) for e in entries} == {(admin, organisation)}
