"""Segments a person can build: each value once, départements by number and name,
communes, the people of one import, and a live count."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from hygie.audience.models import Person, Segment
from hygie.audience.services import import_run_from_file
from hygie.audience.tests.helpers import write_csv


def test_each_value_is_offered_once_with_departement_names(console, admin, organisation):
    for n in range(30):
        Person.objects.create(
            organisation=organisation,
            email=f"p{n}@example.org",
            last_name=f"Nom{n}",
            departement=("33", "2A", "974")[n % 3],
            specialty=("Médecine générale", "Cardiologie")[n % 2],
            commune=("Bordeaux", "Ajaccio", "Saint-Denis")[n % 3],
        )
    page = console(admin).get(reverse("audience:segment_new"))
    form = page.context["form"]
    assert list(form.fields["departements"].choices) == [
        ("2A", "2A – Corse-du-Sud"),
        ("33", "33 – Gironde"),
        ("974", "974 – La Réunion"),
    ]
    assert [v for v, _l in form.fields["specialties"].choices] == [
        "Cardiologie",
        "Médecine générale",
    ]
    assert [v for v, _l in form.fields["communes"].choices] == [
        "Ajaccio",
        "Bordeaux",
        "Saint-Denis",
    ]
    body = page.content.decode()
    assert 'type="checkbox" name="departements" value="33"' in body
    assert "Ctrl" not in body  # ticked, not Ctrl-clicked


def test_people_of_an_import_and_added_since(console, admin, organisation, tmp_path):
    Person.objects.create(organisation=organisation, email="ancien@example.org")
    rows = [["Email", "Ville"], ["a@example.org", "Pau"], ["b@example.org", "Pau"]]
    job = import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "m.csv", rows), apply=True
    )
    client = console(admin)
    count = client.get(
        reverse("audience:segment_count"), {"import_ids": [job.pk], "statuses": ["active"]}
    )
    assert count.json() == {"count": 2}
    by_commune = client.get(
        reverse("audience:segment_count"), {"communes": ["Pau"], "statuses": ["active"]}
    )
    assert by_commune.json() == {"count": 2}
    # "Added since": the member known for a month is left out, this week's two are counted.
    Person.objects.filter(email="ancien@example.org").update(
        created_at=timezone.now() - timedelta(days=30)
    )
    everyone = client.get(reverse("audience:segment_count"), {"statuses": ["active"]})
    assert everyone.json() == {"count": 3}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    added = client.get(
        reverse("audience:segment_count"), {"joined_after": since, "statuses": ["active"]}
    )
    assert added.json() == {"count": 2}
    client.post(
        reverse("audience:segment_new"),
        {"name": "Import de décembre", "import_ids": [job.pk], "statuses": ["active"]},
    )
    segment = Segment.objects.get()
    assert segment.filters["import_ids"] == [job.pk]
    page = client.get(reverse("audience:people"), {"segment": segment.pk})
    assert page.context["page"].paginator.count == 2
