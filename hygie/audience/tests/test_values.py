from __future__ import annotations

import pytest

from hygie.audience.tests.helpers import rpps
from hygie.audience.values import (
    InvalidValue,
    clean_civility,
    clean_departement,
    clean_email,
    clean_mobile_phone,
    clean_name,
    clean_postcode,
    clean_profession,
    clean_rpps,
    departement_from_postcode,
)


def test_email_is_normalised_and_checked():
    assert clean_email("  Jean.Dupont@Example.ORG ") == "jean.dupont@example.org"
    assert clean_email("<a@example.org>") == "a@example.org"
    for bad in ("jean@@example.org", "jean", "jean@", "a b@example.org"):
        with pytest.raises(InvalidValue, match="invalid email"):
            clean_email(bad)


def test_rpps_needs_eleven_digits_and_a_valid_check_digit():
    good = rpps(12345)
    assert clean_rpps(good) == good
    assert clean_rpps(f"{good[:3]} {good[3:7]} {good[7:]}") == good
    wrong_key = good[:-1] + str((int(good[-1]) + 1) % 10)
    for bad in (wrong_key, "1234", "1000000000A"):
        with pytest.raises(InvalidValue, match="RPPS"):
            clean_rpps(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("07 81 23 45 67", "+33781234567"),
    ],
)
def test_french_mobiles_become_e164(raw, expected):
    assert clean_mobile_phone(raw) == expected


def test_landlines_and_garbage_are_refused_as_mobiles():
    with pytest.raises(InvalidValue, match="not a mobile"):
        clean_mobile_phone("05 56 12 34 56")
    with pytest.raises(InvalidValue, match="invalid phone"):
        clean_mobile_phone("12")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("33", "33"), ("3", "03"), ("Gironde (33)", "33"), ("2a", "2A"), ("971", "971")],
)
def test_departements(raw, expected):
    assert clean_departement(raw) == expected


def test_unknown_departement_is_refused():
    for bad in ("99", "Atlantide", "20"):
        with pytest.raises(InvalidValue, match="département"):
            clean_departement(bad)


def test_departement_from_postcode():
    assert departement_from_postcode("33000") == "33"
    assert departement_from_postcode("20000") == "2A"
    assert departement_from_postcode("20200") == "2B"
    assert departement_from_postcode("97400") == "974"
    assert clean_postcode("1000") == "01000"


def test_civility_profession_and_names():
    assert clean_civility("Docteur") == "dr"
    assert clean_civility("Mme") == "mme"
    with pytest.raises(InvalidValue):
        clean_civility("Sa Majesté")
    assert clean_profession("Secrétaire médicale") == "secretary"
    assert clean_profession("Médecin généraliste") == "doctor"
    assert clean_profession("Kinésithérapeute") == "other"
    assert clean_name("DUPONT-MARTIN") == "Dupont-Martin"
    assert clean_name("  de  la Tour ") == "de la Tour"


def test_stored_attributes_are_shown_by_their_labels():
    from django.utils import translation

    from hygie.audience.selectors import attribute_label

    with translation.override("fr"):
        assert attribute_label("profession", "doctor") == "Médecin"
        assert attribute_label("practice_role", "locum") != "locum"
        assert attribute_label("status", "unsubscribed") != "unsubscribed"
        assert attribute_label("departement", "33") == "33 – Gironde"
        assert attribute_label("specialty", "Pédiatrie") == "Pédiatrie"
        assert attribute_label("profession", "") == "—"
        assert attribute_label("profession", "astronaut") == "astronaut"
