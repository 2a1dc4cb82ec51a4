"""A person's role in the practice: imported from French headers and words, edited in the
console (audited), and usable to target a segment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.models import AuditEntry
from hygie.audience.mapping import guess_field
from hygie.audience.models import ImportRejection, Person
from hygie.audience.segments import SegmentFilters
from hygie.audience.services import import_run_from_file
from hygie.audience.tests.helpers import write_csv
from hygie.audience.values import InvalidValue, clean_practice_role


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Rôle au cabinet", "practice_role"),
        ("Statut d'exercice", "practice_role"),
        ("Mode d'exercice", "practice_role"),
        ("Statut", "practice_role"),
        ("Profession", "profession"),
    ],
)
def test_french_headers_map_to_the_role(header, field):
    assert guess_field(header) == field


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("Médecin titulaire", "holder"),
        ("installé", "holder"),
        ("Collaboratrice", "associate"),
        ("Médecin remplaçant", "locum"),
        ("REMPLAÇANTE", "locum"),
        ("Secrétaire médicale", "secretary"),
        ("Assistant(e) médical(e)", "secretary"),
        ("Infirmière", "other_health"),
        ("Autre profession de santé", "other_health"),
        ("", ""),
    ],
)
def test_role_words_from_spreadsheets(value, role):
    assert clean_practice_role(value) == role


def test_an_unknown_role_is_named_in_french():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(InvalidValue, match="Astronaute"):
        clean_practice_role("Astronaute")


def test_an_import_sets_the_role_and_warns_of_an_unknown_one(tmp_path, organisation):
    path = write_csv(
        tmp_path / "equipe.csv",
        [
            ["Nom", "Prénom", "Email", "Rôle au cabinet"],
            ["Durand", "Élise", "elise@example.org", "Médecin titulaire"],
            ["Martin", "Claire", "claire@example.org", "Secrétaire"],
            ["Petit", "Paul", "paul@example.org", "Astronaute"],
        ],
    )
    job = import_run_from_file(organisation=organisation, path=path, apply=True)
    roles = dict(Person.objects.values_list("email", "practice_role"))
    assert roles == {
        "elise@example.org": "holder",
        "claire@example.org": "secretary",
        "paul@example.org": "",  # kept, without the role it could not place
    }
    warning = ImportRejection.objects.get(job=job, line=4)
    assert warning.is_warning and "Astronaute" in warning.reason


@pytest.fixture
def claire(organisation):
    return Person.objects.create(
        organisation=organisation, email="claire@example.org", last_name="Martin"
    )


def test_the_role_is_edited_in_the_console_and_audited(console, admin, claire):
    url = reverse("audience:person_role", args=[claire.pk])
    response = console(admin).post(url, {"practice_role": "secretary"})
    assert response.status_code == 302
    claire.refresh_from_db()
    assert claire.practice_role == "secretary"
    entry = AuditEntry.objects.get(action="person.role_changed")
    assert entry.details == {"from": "", "to": "secretary"}
    page = console(admin).get(reverse("audience:person", args=[claire.pk])).content.decode()
    assert '<option value="secretary" selected>' in page


def test_a_bad_role_changes_nothing(console, admin, claire):
    url = reverse("audience:person_role", args=[claire.pk])
    response = console(admin).post(url, {"practice_role": "astronaut"})
    assert response.status_code == 400
    claire.refresh_from_db()
    assert claire.practice_role == ""
    assert not AuditEntry.objects.filter(action="person.role_changed").exists()


def test_another_organisation_cannot_set_the_role(console, other_organisation, claire):
    from hygie.accounts.roles import Role
    from hygie.conftest import staff_member

    stranger = staff_member(other_organisation, Role.ADMIN, "stranger@autre-union.example")
    response = console(stranger).post(
        reverse("audience:person_role", args=[claire.pk]), {"practice_role": "secretary"}
    )
    assert response.status_code == 404
    claire.refresh_from_db()
    assert claire.practice_role == ""


def test_a_segment_targets_roles(organisation, claire):
    Person.objects.create(organisation=organisation, email="dr@example.org", practice_role="holder")
    claire.practice_role = "secretary"
    claire.save()
    people = SegmentFilters(practice_roles=["secretary"]).apply(
        Person.objects.filter(organisation=organisation)
    )
    assert list(people) == [claire]


def test_the_access_export_includes_the_role(console, admin, claire):
    import json

    claire.practice_role = "secretary"
    claire.save()
    url = reverse("audience:person_export", args=[claire.pk])
    data = json.loads(console(admin).get(url, {"format": "json"}).content)
    assert data["role_in_the_practice"]


def test_a_segment_of_secretaries_is_made_in_the_console(console, admin, organisation, claire):
    from hygie.audience.models import Segment

    claire.practice_role = "secretary"
    claire.save()
    Person.objects.create(organisation=organisation, email="dr@example.org", practice_role="holder")
    client = console(admin)
    count = client.get(
        reverse("audience:segment_count"), {"practice_roles": ["secretary"], "statuses": ["active"]}
    )
    assert count.json() == {"count": 1}
    client.post(
        reverse("audience:segment_new"),
        {"name": "Secrétariats", "practice_roles": ["secretary"], "statuses": ["active"]},
    )
    segment = Segment.objects.get()
    assert segment.filters["practice_roles"] == ["secretary"]
    assert list(segment_people(segment)) == [claire]


def segment_people(segment):
    from hygie.audience.segments import SegmentFilters

    return SegmentFilters.from_json(segment.filters).apply(
        Person.objects.filter(organisation=segment.organisation)
    )
