"""The audience pages: import wizard, people, segments, exports, rights, isolation."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.audience.models import (
    ImportJob,
    ImportStatus,
    Person,
    PersonStatus,
    Practice,
    Segment,
    Suppression,
)
from hygie.audience.suppression_list import is_suppressed
from hygie.audience.tests.helpers import FRENCH_HEADERS, french_row, write_csv

IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


def upload(client, tmp_path, rows, name="adherents.csv", **options):
    path = write_csv(tmp_path / name, rows, **options)
    response = client.post(
        reverse("audience:imports"),
        {"file": SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")},
    )
    return response


@IMMEDIATE_TASKS
def test_import_wizard_end_to_end(
    console, admin, organisation, tmp_path, django_capture_on_commit_callbacks
):
    client = console(admin)
    rows = [FRENCH_HEADERS, french_row(1), french_row(2), french_row(3, email="faux")]
    response = upload(client, tmp_path, rows, encoding="cp1252")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("audience:import_detail", args=[job.pk])
    assert job.status == ImportStatus.PENDING
    assert job.encoding == "cp1252" and job.delimiter == ";"

    page = client.get(response["Location"])
    form = page.context["mapping_form"]
    assert form["col_3"].initial == "email"
    assert "elise.durand1@example.org" in page.content.decode()  # sample values shown

    data = {f"col_{i}": form[f"col_{i}"].initial for i in range(len(FRENCH_HEADERS))}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], data)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED, job.error
    assert job.counts["new"] == 2 and job.counts["rejected"] == 1
    assert Person.objects.count() == 0  # nothing written before confirmation
    preview = client.get(response["Location"]).content.decode()
    assert "invalid email" in preview or "adresse e-mail non valide" in preview

    report = client.get(reverse("audience:import_rejections", args=[job.pk]))
    lines = list(
        csv.reader(
            io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert lines[1][0] == "4"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audience:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert Person.objects.count() == 2
    applied = AuditEntry.objects.get(action="import.applied", organisation=organisation)
    # Applied by the worker, in the name of the staff member who uploaded the file.
    assert (applied.channel, applied.actor, applied.ip_address) == ("system", admin, None)
    # The uploaded file is not kept once the import is done.
    assert not (tmp_path / job.stored_path).exists()


def test_a_mapping_without_email_is_refused(console, admin, tmp_path):
    client = console(admin)
    response = upload(client, tmp_path, [FRENCH_HEADERS, french_row(1)])
    data = {f"col_{i}": "" for i in range(len(FRENCH_HEADERS))}
    page = client.post(response["Location"], data)
    assert page.status_code == 200
    assert page.context["mapping_form"].non_field_errors()
    assert ImportJob.objects.get().status == ImportStatus.PENDING


def test_upload_refuses_other_files(console, admin):
    client = console(admin)
    response = client.post(
        reverse("audience:imports"),
        {"file": SimpleUploadedFile("photo.png", b"\x89PNG....", content_type="image/png")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


@pytest.fixture
def population(organisation):
    practice = Practice.objects.create(organisation=organisation, name="Cabinet A", commune="Pau")
    people = [
        Person.objects.create(
            organisation=organisation,
            email=f"p{n}@example.org",
            last_name=f"Nom{n}",
            departement="33" if n % 2 else "64",
            specialty="Cardiologie" if n < 3 else "Pédiatrie",
            practice=practice if n == 1 else None,
        )
        for n in range(1, 7)
    ]
    people[0].last_name = '=HYPERLINK("http://evil.example")'
    people[0].save()
    return people


def test_people_list_search_and_filters(console, admin, population):
    client = console(admin)
    page = client.get(reverse("audience:people"), {"departement": "33"})
    assert page.context["page"].paginator.count == 3
    page = client.get(reverse("audience:people"), {"q": "p4@example"})
    assert [p.email for p in page.context["page"].object_list] == ["p4@example.org"]


def test_segment_with_live_count_and_people(console, admin, organisation, population):
    client = console(admin)
    count = client.get(
        reverse("audience:segment_count"),
        {"departements": ["33"], "specialties": ["Cardiologie"], "statuses": ["active"]},
    )
    assert count.json() == {"count": 1}
    bad = client.get(reverse("audience:segment_count"), {"statuses": ["nonsense"]})
    assert bad.status_code == 400
    response = client.post(
        reverse("audience:segment_new"),
        {"name": "Gironde", "departements": ["33"], "statuses": ["active"]},
    )
    segment = Segment.objects.get()
    assert response["Location"] == reverse("audience:people_in_segment", args=[segment.pk])
    people = client.get(reverse("audience:people"), {"segment": segment.pk})
    assert people.context["page"].paginator.count == 3
    duplicate = client.post(
        reverse("audience:segment_new"), {"name": "gironde", "statuses": ["active"]}
    )
    assert duplicate.status_code == 200
    assert Segment.objects.count() == 1
    assert AuditEntry.objects.filter(action="segment.created").count() == 1


def test_exports_are_safe_against_formula_injection(console, admin, population):
    client = console(admin)
    response = client.get(reverse("audience:people_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 7
    names = [row[2] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in names

    xlsx = client.get(reverse("audience:people_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for cell in sheet["C"]]
    # A text cell: shown as written, never run, and no apostrophe needed.
    assert '=HYPERLINK("http://evil.example")' in values
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)


def test_data_subject_export_and_erasure(console, admin, organisation, population):
    client = console(admin)
    person = population[1]
    data = client.get(reverse("audience:person_export", args=[person.pk]), {"format": "json"})
    assert json.loads(data.content)["email"] == person.email
    assert AuditEntry.objects.filter(action="person.exported").exists()

    refused = client.post(reverse("audience:person_erase", args=[person.pk]), {"confirm": "non"})
    assert refused.status_code == 400
    client.post(reverse("audience:person_erase", args=[person.pk]), {"confirm": "EFFACER"})
    person.refresh_from_db()
    assert person.status == PersonStatus.ERASED
    assert person.email is None and person.last_name == "" and person.rpps is None
    assert is_suppressed(organisation, "p2@example.org")
    assert not Suppression.objects.filter(address_hash__contains="p2").exists()
    assert AuditEntry.objects.filter(action="person.erased", target_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("audience:person", "person"),
        ("audience:person_export", "person"),
        ("audience:practice", "practice"),
        ("audience:segment_edit", "segment"),
        ("audience:people_in_segment", "segment"),
        ("audience:import_detail", "job"),
        ("audience:import_rejections", "job"),
    ],
)
def test_objects_of_another_organisation_are_not_found(
    console, admin, other_organisation, name, kind
):
    objects = {
        "person": Person.objects.create(organisation=other_organisation, email="x@example.org"),
        "practice": Practice.objects.create(organisation=other_organisation, name="B"),
        "segment": Segment.objects.create(organisation=other_organisation, name="B"),
        "job": ImportJob.objects.create(
            organisation=other_organisation, filename="b.csv", stored_path="/nonexistent"
        ),
    }
    response = console(admin).get(reverse(name, args=[objects[kind].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["audience:person_erase", "audience:segment_delete", "audience:import_confirm"]
)
def test_foreign_objects_cannot_be_changed(console, admin, other_organisation, name):
    person = Person.objects.create(organisation=other_organisation, email="x@example.org")
    segment = Segment.objects.create(organisation=other_organisation, name="B")
    job = ImportJob.objects.create(
        organisation=other_organisation, filename="b.csv", stored_path="/x", status="previewed"
    )
    target = {
        "audience:person_erase": person,
        "audience:segment_delete": segment,
        "audience:import_confirm": job,
    }[name]
    response = console(admin).post(reverse(name, args=[target.pk]), {"confirm": "ERASE"})
    assert response.status_code == 404
    person.refresh_from_db()
    job.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert job.status == "previewed"


def test_analysts_cannot_see_people(console, staff_of, population):
    client = console(staff_of(Role.ANALYST))
    assert client.get(reverse("audience:people")).status_code == 403
    assert client.get(reverse("audience:person", args=[population[0].pk])).status_code == 403
