"""Importing member files: formats, mapping, rejections, upserts, atomicity."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command

from hygie.accounts.actors import Actor
from hygie.audience import importing
from hygie.audience.models import ImportJob, ImportRejection, Person, PersonStatus, Practice
from hygie.audience.services import import_run_from_file, person_unsubscribe
from hygie.audience.tabular import open_table
from hygie.audience.tests.helpers import (
    FRENCH_HEADERS,
    french_row,
    rpps,
    write_csv,
    write_xlsx,
)


def run_import(organisation, path, apply=True, mapping=None) -> ImportJob:
    return import_run_from_file(organisation=organisation, path=path, apply=apply, mapping=mapping)


def reasons(job: ImportJob) -> dict[int, str]:
    return dict(ImportRejection.objects.filter(job=job).values_list("line", "reason"))


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [
        (";", "utf-8", False),
        (";", "utf-8", True),
        (",", "utf-8", False),
        ("\t", "utf-8", False),
        (";", "cp1252", False),
        (";", "latin-1", False),
    ],
)
def test_csv_dialects_of_french_offices(tmp_path, organisation, delimiter, encoding, bom):
    path = write_csv(
        tmp_path / "membres.csv",
        [FRENCH_HEADERS, french_row(1), french_row(2, prenom="Noëlle")],
        delimiter=delimiter,
        encoding=encoding,
        bom=bom,
    )
    table = open_table(path)
    assert table.delimiter == delimiter
    assert table.headers[1] == "Nom" and table.headers[2] == "Prénom"
    table.close()
    job = run_import(organisation, path)
    assert job.counts["new"] == 2, reasons(job)
    person = Person.objects.get(email="elise.durand2@example.org")
    assert person.first_name == "Noëlle"
    assert person.last_name == "Durand2"
    assert person.departement == "33"
    assert person.mobile_phone == "+33612345678"
    assert person.civility == "dr"
    assert person.practice.name == "Cabinet des Chartrons"


def test_quoted_fields_with_line_breaks_keep_line_numbers(tmp_path, organisation):
    path = write_csv(
        tmp_path / "m.csv",
        [
            FRENCH_HEADERS,
            french_row(1, cabinet="Cabinet\nmédical du Port"),
            french_row(2, email="pas-une-adresse"),
        ],
    )
    job = run_import(organisation, path)
    # The second record starts on physical line 4 because the first spans two lines.
    assert list(reasons(job)) == [4]
    assert Practice.objects.get().name == "Cabinet médical du Port"


def test_xlsx_with_numbers_typed_in_excel(tmp_path, organisation):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [
            ["Email", "Last name", "First name", "Department", "RPPS"],
            ["a@example.org", "Martin", "Luc", 33, int(rpps(7))],
            [None, None, None, None, None],
            ["b@example.org", "Petit", "Ana", 2.0, None],
        ],
    )
    job = run_import(organisation, path)
    assert job.counts == {
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warned": 0,
        "total": 2,
    }
    assert Person.objects.get(email="b@example.org").departement == "02"
    assert Person.objects.get(email="a@example.org").rpps == rpps(7)


def test_headers_in_any_order_and_language_are_mapped(tmp_path, organisation):
    headers = ["Ville", "E-mail", "Surname", "Prénom", "Code Postal", "Colonne inconnue"]
    path = write_csv(
        tmp_path / "m.csv", [headers, ["Pau", "x@example.org", "Roux", "Léa", "64000", "z"]]
    )
    job = run_import(organisation, path, apply=False)
    assert job.mapping == {
        "0": "commune",
        "1": "email",
        "2": "last_name",
        "3": "first_name",
        "4": "postcode",
        "5": "",
    }


def test_a_corrected_mapping_is_used(tmp_path, organisation):
    path = write_csv(tmp_path / "m.csv", [["Contact", "Nom"], ["x@example.org", "Roux"]])
    job = run_import(organisation, path, mapping={"0": "email", "1": "last_name"})
    assert job.counts["new"] == 1


def test_extra_columns_can_be_kept_as_tags(tmp_path, organisation):
    path = write_csv(tmp_path / "m.csv", [["Email", "Commission"], ["x@example.org", "Numérique"]])
    job = run_import(organisation, path, mapping={"0": "email", "1": "tag"})
    assert job.counts["new"] == 1
    assert [t.name for t in Person.objects.get().tags.all()] == ["Commission: Numérique"]


def test_every_rejection_and_warning_is_reported_with_its_line(tmp_path, organisation):
    suppressed = Person.objects.create(organisation=organisation, email="gone@example.org")
    person_unsubscribe(person=suppressed)
    from hygie.accounts.tests.factories import UserFactory
    from hygie.audience.services import person_erase

    person_erase(person=suppressed, actor=Actor.staff(UserFactory()))
    rows = [
        FRENCH_HEADERS,
        french_row(1),  # line 2: fine
        french_row(2, email="jean@@example.org"),  # 3: invalid email
        french_row(3, rpps="12345678901"),  # 4: invalid RPPS (check digit): left out
        french_row(1, rpps=rpps(50)),  # 5: duplicate email of line 2
        french_row(4, rpps=rpps(1)),  # 6: duplicate RPPS of line 2
        french_row(5, email="gone@example.org"),  # 7: suppressed address
        french_row(6, tel="05 56 00 00 00"),  # 8: landline as mobile: left out
        french_row(7, email=""),  # 9: missing email
        french_row(8, civ="Sa Majesté"),  # 10: unknown civility: left out
    ]
    job = run_import(organisation, write_csv(tmp_path / "m.csv", rows), apply=False)
    found = reasons(job)
    assert sorted(found) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "invalid email" in found[3]
    assert "RPPS" in found[4]
    assert "duplicate of line 2" in found[5] and "email" in found[5]
    assert "duplicate of line 2" in found[6] and "RPPS" in found[6]
    assert "suppressed" in found[7]
    assert "mobile" in found[8]
    assert "missing email" in found[9]
    assert "civility" in found[10]
    warnings = set(
        ImportRejection.objects.filter(job=job, is_warning=True).values_list("line", flat=True)
    )
    assert warnings == {4, 8, 10}
    assert all("value left out" in found[line] for line in warnings)
    assert job.counts["rejected"] == 5 and job.counts["new"] == 4 and job.counts["warned"] == 3
    # A dry run writes no person.
    assert Person.objects.filter(status=PersonStatus.ACTIVE).count() == 0


def test_reimport_is_idempotent_and_updates_by_email_or_rpps(tmp_path, organisation):
    path = write_csv(tmp_path / "m.csv", [FRENCH_HEADERS, french_row(1), french_row(2)])
    first = run_import(organisation, path)
    assert first.counts["new"] == 2
    second = run_import(organisation, path)
    assert second.counts == {
        "new": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
        "warned": 0,
        "total": 2,
    }

    changed = write_csv(
        tmp_path / "m2.csv",
        [
            FRENCH_HEADERS,
            french_row(1, spec="Cardiologie"),  # same email → update
            french_row(2, email="nouvelle.adresse@example.org"),  # same RPPS → update email
        ],
    )
    third = run_import(organisation, changed)
    assert third.counts["updated"] == 2, reasons(third)
    assert Person.objects.count() == 2
    assert Person.objects.get(rpps=rpps(2)).email == "nouvelle.adresse@example.org"
    assert Person.objects.get(rpps=rpps(1)).specialty == "Cardiologie"


def test_email_and_rpps_of_two_different_people_is_rejected(tmp_path, organisation):
    run_import(
        organisation, write_csv(tmp_path / "a.csv", [FRENCH_HEADERS, french_row(1), french_row(2)])
    )
    clash = french_row(1, rpps=rpps(2))
    job = run_import(organisation, write_csv(tmp_path / "b.csv", [FRENCH_HEADERS, clash]))
    assert "two different people" in reasons(job)[2]


def test_unsubscribed_people_keep_their_status_on_reimport(tmp_path, organisation):
    path = write_csv(tmp_path / "m.csv", [FRENCH_HEADERS, french_row(1)])
    run_import(organisation, path)
    person_unsubscribe(person=Person.objects.get())
    job = run_import(organisation, path)
    assert job.counts["unchanged"] == 1
    assert Person.objects.get().status == PersonStatus.UNSUBSCRIBED


def test_a_failure_midway_writes_nothing(tmp_path, organisation):
    rows = [FRENCH_HEADERS] + [french_row(n) for n in range(1, 2501)]
    path = write_csv(tmp_path / "m.csv", rows)
    job = run_import(organisation, path, apply=False)
    assert job.counts["new"] == 2500
    calls = {"n": 0}
    original = importing.ImportPass._write

    def failing_write(self, to_create, to_update):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, to_create, to_update)

    with (
        mock.patch.object(importing.ImportPass, "_write", failing_write),
        pytest.raises(RuntimeError),
    ):
        importing.apply(job)
    assert calls["n"] == 2
    assert Person.objects.count() == 0
    assert Practice.objects.count() == 0


def test_unreadable_files_are_refused_clearly(tmp_path, organisation):
    from django.core.exceptions import ValidationError

    old_excel = tmp_path / "m.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(importing.ImportFailed, match="xlsx"):
        run_import(organisation, old_excel)
    no_email = write_csv(tmp_path / "n.csv", [["Nom", "Prénom"], ["Roux", "Léa"]])
    with pytest.raises(ValidationError, match="email"):
        run_import(organisation, no_email)


def test_command_line_import(tmp_path, organisation, capsys):
    path = write_csv(tmp_path / "m.csv", [FRENCH_HEADERS, french_row(1), french_row(2, email="x")])
    call_command("import_people", organisation.slug, str(path))
    out = capsys.readouterr().out
    assert "new: 1" in out and "rejected: 1" in out and "line 3" in out
    assert Person.objects.count() == 0
    call_command("import_people", organisation.slug, str(path), "--apply")
    assert Person.objects.count() == 1


def test_people_of_another_organisation_are_never_matched(
    tmp_path, organisation, other_organisation
):
    path = write_csv(tmp_path / "m.csv", [FRENCH_HEADERS, french_row(1)])
    run_import(other_organisation, path)
    job = run_import(organisation, path)
    assert job.counts["new"] == 1
    assert Person.objects.filter(email="elise.durand1@example.org").count() == 2
