"""A RowReader must give what the ORM gives with select_related, in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Model
from django.utils import timezone

from hygie.audience.models import Person, Practice
from hygie.lib.rows import RowReader
from hygie.operations.models import Snapshot


def values(instance: Model) -> list[object]:
    return [getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields]


def test_a_row_and_its_relations_as_select_related_reads_them(
    organisation, django_assert_num_queries
):
    practice = Practice.objects.create(organisation=organisation, name="Cabinet des Lilas")
    in_practice = Person.objects.create(
        organisation=organisation,
        email="elise.durand@example.org",
        last_name="Durand",
        civility="dr",
        practice=practice,
        status_changed_at=timezone.now() - timedelta(days=3),
    )
    alone = Person.objects.create(organisation=organisation, email=None, rpps=None)
    reader = RowReader(Person, "pseudonym", "practice__organisation", "organisation")
    reader.get("warm-up")  # on PostgreSQL the first read also prepares the statement
    for person in (in_practice, alone):
        expected = Person.objects.select_related("practice__organisation", "organisation").get(
            pk=person.pk
        )
        with django_assert_num_queries(1):
            found = reader.get(person.pseudonym)
            assert found is not None
            assert found.organisation.name == organisation.name  # no further query
            if found.practice is not None:
                assert found.practice.organisation.pk == organisation.pk
        assert values(found) == values(expected)
        assert values(found.organisation) == values(expected.organisation)
        if expected.practice is None:
            assert found.practice is None
        else:
            assert values(found.practice) == values(expected.practice)
        # An instance like the ORM's: it can be saved back.
        found.last_name = "Martin"
        found.save(update_fields=["last_name"])
        assert Person.objects.get(pk=person.pk).last_name == "Martin"
    assert reader.get("no-such-pseudonym") is None


def test_values_are_converted_as_the_orm_converts_them(db):
    Snapshot.objects.create(
        key="k", payload=b"\x00\x01figures", computed_at=timezone.now(), seconds=0.25
    )
    found = RowReader(Snapshot, "key").get("k")
    assert found is not None
    assert values(found) == values(Snapshot.objects.get(key="k"))
    assert bytes(found.payload) == b"\x00\x01figures"
    assert found.refreshing_since is None and found.computed_at.tzinfo is not None


def test_only_forward_relations_can_be_joined():
    with pytest.raises(TypeError, match="not a forward relation"):
        RowReader(Person, "pseudonym", "deliveries").get("x")
