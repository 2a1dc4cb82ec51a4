"""Member files as unions really keep them: départements by name, overseas mobiles
written the national way, odd optional values, address-book exports, specialties as
practitioners write them; and exports that open cleanly in a spreadsheet."""

from __future__ import annotations

import csv
import io

import phonenumbers
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hygie.audience.departements import DEPARTEMENTS
from hygie.audience.mapping import guess_mapping
from hygie.audience.models import ImportRejection, Person, Tag
from hygie.audience.services import import_run_from_file
from hygie.audience.tests.helpers import write_csv
from hygie.audience.values import (
    InvalidValue,
    clean_departement,
    clean_mobile_phone,
    clean_specialty,
    fold,
)


def test_there_are_101_departements():
    assert len(DEPARTEMENTS) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(DEPARTEMENTS)


@pytest.mark.parametrize(("code", "name"), sorted(DEPARTEMENTS.items()))
def test_every_departement_is_read_by_code_or_name_however_written(code, name):
    assert clean_departement(code) == code
    assert clean_departement(code.lower()) == code
    assert clean_departement(name) == code
    assert clean_departement(name.upper()) == code
    assert clean_departement(fold(name)) == code  # no accents, hyphens or apostrophes
    assert clean_departement(f"{name} ({code})") == code


@pytest.mark.parametrize("value", ["Gironde", "GIRONDE", "gironde", " Gironde "])
def test_gironde_as_a_name(value):
    assert clean_departement(value) == "33"


@pytest.mark.parametrize("value", ["20", "975", "96", "Gyronde", "Bretagne"])
def test_unknown_departements_are_named_in_the_error(value):
    with pytest.raises(InvalidValue, match="département"):
        clean_departement(value)


@pytest.mark.parametrize(
    ("national", "country_code", "region"),
    [
        ("0692 12 34 56", 262, "RE"),
        ("0693 45 67 89", 262, "RE"),
        ("0639 69 12 34", 262, "YT"),
        ("0690 12 34 56", 590, "GP"),
        ("0691 23 45 67", 590, "GP"),
        ("0694 20 12 34", 594, "GF"),
        ("0696 12 34 56", 596, "MQ"),
        ("0697 12 34 56", 596, "MQ"),
        ("06.92.12.34.56", 262, "RE"),
    ],
)
def test_overseas_mobiles_in_national_form_get_their_own_country_code(
    national, country_code, region
):
    e164 = clean_mobile_phone(national)
    number = phonenumbers.parse(e164)
    assert number.country_code == country_code
    assert phonenumbers.region_code_for_number(number) == region
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    # The same number written internationally gives the same result.
    assert clean_mobile_phone("+" + str(country_code) + e164[len(str(country_code)) + 1 :]) == e164


def test_metropolitan_mobiles_are_unchanged():
    assert clean_mobile_phone("06 12 34 56 78") == "+33612345678"
    assert clean_mobile_phone("+33 6 98 76 54 32") == "+33698765432"


@pytest.mark.parametrize("value", ["06 12 AB 56 78", "06-CALL-ME", "0612345678 (perso)"])
def test_letters_in_a_phone_are_refused_not_turned_into_digits(value):
    with pytest.raises(InvalidValue, match=r"letters|lettres"):
        clean_mobile_phone(value)


@pytest.mark.parametrize(
    "written",
    ["Médecine générale", "médecine generale", "Médecin généraliste", "MG", "mg", "Généraliste"],
)
def test_general_practice_as_practitioners_write_it(written):
    assert clean_specialty(written) == "Médecine générale"


def test_specialties_known_and_unknown():
    assert clean_specialty("Cardiologue") == "Cardiologie"
    assert clean_specialty("Oto-rhino-laryngologie") == "ORL"
    assert clean_specialty("  Médecine   vasculaire ") == "Médecine vasculaire"


def reasons(job) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for line, reason in ImportRejection.objects.filter(job=job).values_list("line", "reason"):
        found.setdefault(line, []).append(reason)
    return found


def test_a_real_member_file_imports_every_member_with_warnings(tmp_path, organisation):
    rows = [
        ["Nom", "Prénom", "Email", "Département", "Portable", "Spécialité"],
        ["LEFÈVRE", "Anne", "anne.lefevre@example.org", "Gironde", "06 12 34 56 78", "MG"],
        ["Payet", "Jean", "jean.payet@example.org", "La Réunion", "0692 12 34 56", ""],
        ["Hoarau", "Lise", "lise.hoarau@example.org", "974", "0693 45 67 89", ""],
        ["Bellay", "Marc", "marc.bellay@example.org", "Martinique", "0696 12 34 56", ""],
        ["Attoumani", "Zaïna", "zaina@example.org", "Mayotte", "0639 69 12 34", ""],
        ["Rosier", "Paul", "paul.rosier@example.org", "guadeloupe", "0690 12 34 56", ""],
        ["Cayol", "Léa", "lea.cayol@example.org", "Guyane", "0694 20 12 34", ""],
        ["Santoni", "Ange", "ange@example.org", "corse-du-sud", "06 12 AB 56 78", "Cardiologue"],
        ["Sans", "Email", "", "Gironde", "", ""],
    ]
    job = import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "m.csv", rows), apply=True
    )
    assert job.counts["new"] == 8 and job.counts["rejected"] == 1 and job.counts["warned"] == 1
    by_email = {p.email: p for p in Person.objects.all()}
    assert by_email["anne.lefevre@example.org"].departement == "33"
    assert by_email["anne.lefevre@example.org"].specialty == "Médecine générale"
    assert by_email["jean.payet@example.org"].mobile_phone == "+262692123456"
    assert by_email["zaina@example.org"].mobile_phone == "+262639691234"
    assert by_email["paul.rosier@example.org"].mobile_phone == "+590690123456"
    assert by_email["lea.cayol@example.org"].mobile_phone == "+594694201234"
    assert by_email["marc.bellay@example.org"].mobile_phone == "+596696123456"
    ange = by_email["ange@example.org"]
    assert (ange.departement, ange.mobile_phone, ange.specialty) == ("2A", "", "Cardiologie")
    found = reasons(job)
    assert set(found) == {9, 10}
    assert "06 12 AB 56 78" in found[9][0] and "value left out" in found[9][0]
    assert "missing email" in found[10][0]
    # Everyone the file listed belongs to the import (for "people of this import").
    assert job.people.count() == 8


def test_the_import_page_lists_the_values_left_out(console, admin, organisation, tmp_path):
    rows = [["Email", "Portable"], ["a@example.org", "06 12 AB 56 78"]]
    job = import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "m.csv", rows), apply=True
    )
    page = console(admin).get(reverse("audience:import_detail", args=[job.pk]))
    body = page.content.decode()
    assert page.context["warning_count"] == 1 and page.context["rejection_count"] == 0
    assert "06 12 AB 56 78" in body and 'data-testid="import-warnings"' in body


OUTLOOK = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home City", "Business Phone",
    "Mobile Phone", "E-mail Address", "E-mail Type", "E-mail Display Name", "Categories",
    "Notes",
]  # fmt: skip
OUTLOOK_FR = [
    "Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service", "Fonction",
    "Rue (bureau)", "Ville (bureau)", "Code postal (bureau)", "Tél. mobile",
    "Adresse de messagerie", "Catégories",
]  # fmt: skip
GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Name Prefix", "Organization Name",
    "Organization Title", "Organization Department", "Labels", "E-mail 1 - Label",
    "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value", "Address 1 - Label",
    "Address 1 - Street", "Address 1 - City", "Address 1 - Postal Code",
]  # fmt: skip


def fields_of(headers: list[str]) -> dict[str, str]:
    mapping = guess_mapping(headers)
    return {headers[int(i)]: field for i, field in mapping.items() if field}


def test_an_outlook_export_is_mapped_sensibly():
    assert fields_of(OUTLOOK) == {
        "Title": "civility",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "practice_name",
        "Business Street": "practice_address",
        "Business City": "commune",
        "Business Postal Code": "postcode",
        "Mobile Phone": "mobile_phone",
        "E-mail Address": "email",
        "Categories": "tags",
    }


def test_a_french_outlook_export_is_mapped_sensibly():
    assert fields_of(OUTLOOK_FR) == {
        "Titre": "civility",
        "Prénom": "first_name",
        "Nom": "last_name",
        "Société": "practice_name",
        "Rue (bureau)": "practice_address",
        "Ville (bureau)": "commune",
        "Code postal (bureau)": "postcode",
        "Tél. mobile": "mobile_phone",
        "Adresse de messagerie": "email",
        "Catégories": "tags",
    }


def test_a_google_contacts_export_is_mapped_sensibly():
    assert fields_of(GOOGLE) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Name Prefix": "civility",
        "Organization Name": "practice_name",
        "Labels": "tags",
        "E-mail 1 - Value": "email",
        "Phone 1 - Value": "mobile_phone",
        "Address 1 - Street": "practice_address",
        "Address 1 - City": "commune",
        "Address 1 - Postal Code": "postcode",
    }


def test_a_hand_made_file_keeps_its_fonction_column_as_the_profession():
    assert fields_of(["Email", "Fonction", "Department"]) == {
        "Email": "email",
        "Fonction": "profession",
        "Department": "departement",
    }


def test_an_import_that_adds_a_tag_to_known_people_counts_them_as_updated(tmp_path, organisation):
    first = [["Email", "Nom"], ["a@example.org", "Roux"], ["b@example.org", "Petit"]]
    import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "1.csv", first), apply=True
    )
    tagged = [["Email", "Nom", "Tags"], ["a@example.org", "Roux", "Commission numérique"]]
    tagged.append(["b@example.org", "Petit", ""])
    job = import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "2.csv", tagged), apply=True
    )
    assert (job.counts["updated"], job.counts["unchanged"]) == (1, 1)
    assert list(Tag.objects.get().people.values_list("email", flat=True)) == ["a@example.org"]
    again = import_run_from_file(
        organisation=organisation, path=write_csv(tmp_path / "3.csv", tagged), apply=False
    )
    assert (again.counts["updated"], again.counts["unchanged"]) == (0, 2)


@pytest.fixture
def exported(organisation):
    Person.objects.create(
        organisation=organisation,
        email="a@example.org",
        last_name='=HYPERLINK("http://evil.example")',
        mobile_phone="+262692123456",
    )
    Person.objects.create(
        organisation=organisation,
        email="b@example.org",
        last_name="Roux",
        mobile_phone="+33612345678",
    )


def test_csv_export_guards_formulas_but_shows_phones_plainly(console, admin, exported):
    response = console(admin).get(reverse("audience:people_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert '\'=HYPERLINK("http://evil.example")' in [row[2] for row in rows]
    assert {row[4] for row in rows[1:]} == {"0692 12 34 56", "06 12 34 56 78"}


def test_xlsx_export_has_text_cells_and_no_apostrophe(console, admin, exported, tmp_path):
    xlsx = console(admin).get(reverse("audience:people_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)
    assert '=HYPERLINK("http://evil.example")' in [cell.value for cell in sheet["C"]]
    assert {cell.value for cell in sheet["E"][1:]} == {"0692 12 34 56", "06 12 34 56 78"}
    assert not any(
        str(cell.value or "").startswith("'") for row in sheet.iter_rows() for cell in row
    )
    # The exported file imports back to the same numbers.
    sheet.parent.save(tmp_path / "again.xlsx")
    from hygie.audience.tabular import open_table

    table = open_table(tmp_path / "again.xlsx")
    phones = {clean_mobile_phone(cells[4]) for _line, cells in table.rows()}
    table.close()
    assert phones == {"+262692123456", "+33612345678"}
