"""People through the API: pages, filters, one at a time, and in bulk like an import."""

from __future__ import annotations

import json

import pytest

from hygie.accounts.models import AuditEntry
from hygie.api.models import ApiToken
from hygie.api.scopes import Scope
from hygie.audience.models import Person, PersonStatus, Segment
from hygie.audience.services import import_run_from_file
from hygie.audience.tests.helpers import rpps, write_csv

pytestmark = pytest.mark.django_db


def test_the_list_is_read_page_by_page_with_a_cursor_and_filters(api, organisation):
    for n in range(7):
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}@example.org",
            departement="33" if n % 2 else "64",
        )
    client = api(Scope.READ_PEOPLE)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/people", **params).json()
        seen += [p["email"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"dr{n}@example.org" for n in range(7)]
    gironde = client.get("/people", departement="33").json()["items"]
    assert {p["email"] for p in gironde} == {
        "dr1@example.org",
        "dr3@example.org",
        "dr5@example.org",
    }
    bad_cursor = client.get("/people", cursor="%%%")
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0]["field"] == "cursor"
    assert client.get("/people", limit=0).status_code == 422


def test_a_segment_filters_the_list(api, organisation):
    Person.objects.create(organisation=organisation, email="a@example.org", departement="40")
    Person.objects.create(organisation=organisation, email="b@example.org", departement="64")
    segment = Segment.objects.create(
        organisation=organisation, name="Landes", filters={"departements": ["40"]}
    )
    client = api(Scope.READ_PEOPLE)
    items = client.get("/people", segment=segment.pk).json()["items"]
    assert [p["email"] for p in items] == ["a@example.org"]
    segments = client.get("/segments").json()
    assert segments == [
        {
            "id": segment.pk,
            "name": "Landes",
            "description": "",
            "filters": {"departements": ["40"]},
            "people": 1,
        }
    ]


def test_create_update_and_erase_one_person(api, organisation):
    client = api(Scope.READ_PEOPLE, Scope.WRITE_PEOPLE)
    created = client.send(
        "post",
        "/people",
        {"email": "Claire.Morel@Example.org", "last_name": "Morel", "departement": "33"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "claire.morel@example.org"
    changed = client.send("patch", f"/people/{body['id']}", {"commune": "Pessac"})
    assert changed.status_code == 200
    assert changed.json()["commune"] == "Pessac"
    assert client.send("delete", f"/people/{body['id']}").status_code == 204
    person = Person.objects.get(pk=body["id"])
    assert person.status == PersonStatus.ERASED and person.email is None
    # The audit says which token erased the person, from where, on whose behalf.
    token = ApiToken.objects.get()
    erased = AuditEntry.objects.get(action="person.erased")
    assert (erased.channel, erased.api_token_id, erased.actor, erased.ip_address) == (
        "api",
        token.pk,
        token.created_by,
        "127.0.0.1",
    )


def test_bad_values_get_a_4xx_naming_the_field_never_a_500(api):
    client = api(Scope.WRITE_PEOPLE)
    missing = client.send("post", "/people", {"last_name": "Sans adresse"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "email"
    wrong = client.send("post", "/people", {"email": "pas-une-adresse"})
    assert wrong.status_code == 422
    assert "email" in wrong.json()["detail"].lower() or "adresse" in wrong.json()["detail"]
    assert client.send("post", "/people", [1, 2]).status_code == 422
    assert not Person.objects.exists()


def test_bulk_upsert_reports_each_bad_row_and_is_idempotent(api, organisation):
    client = api(Scope.WRITE_PEOPLE)
    rows = [
        {"email": "a@example.org", "last_name": "Aubert", "tags": ["bureau"]},
        {"email": "not an address"},
        {"email": "b@example.org", "rpps": rpps(2)},
        {"email": "a@example.org"},
    ]
    first = client.send("post", "/people/bulk", {"rows": rows}).json()
    assert (first["new"], first["rejected"]) == (2, 2)
    assert [e["row"] for e in first["errors"]] == [2, 4]
    again = client.send("post", "/people/bulk", {"rows": rows}).json()
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert Person.objects.filter(organisation=organisation).count() == 2
    assert list(Person.objects.get(email="a@example.org").tags.values_list("name", flat=True)) == [
        "bureau"
    ]


def test_bulk_upsert_gives_the_same_result_as_the_import_of_the_same_file(
    api, organisation, other_organisation, tmp_path, token_for
):
    header = ["email", "first_name", "last_name", "rpps", "departement", "commune", "tags"]
    rows = [
        ["a@example.org", "Anne", "Aubert", rpps(1), "33", "Bordeaux", "CA"],
        ["b@example.org", "Bruno", "Blanc", "", "Landes", "Dax", ""],
        ["broken", "C", "C", "", "", "", ""],
        ["d@example.org", "Denis", "Durand", "123", "64", "Pau", ""],
    ]
    path = write_csv(tmp_path / "membres.csv", [header, *rows], delimiter=",")
    job = import_run_from_file(organisation=other_organisation, path=path, apply=True)
    client = api(Scope.WRITE_PEOPLE)
    answer = client.send(
        "post",
        "/people/bulk",
        {
            "rows": [
                {
                    **dict(zip(header[:-1], row[:-1], strict=True)),
                    "tags": [row[-1]] if row[-1] else [],
                }
                for row in rows
            ]
        },
        **{"Accept-Language": "en"},  # the reasons in the language the import used here
    ).json()
    assert {k: answer[k] for k in job.counts} == job.counts
    reported = [(e["row"], e["reason"]) for e in answer["errors"] + answer["warnings"]]
    assert sorted(reported) == sorted((r.line - 1, r.reason) for r in job.rejections.all())
    fields = ("email", "first_name", "last_name", "rpps", "departement", "commune")

    def people(org):  # type: ignore[no-untyped-def]
        return sorted(Person.objects.filter(organisation=org).values_list(*fields))

    assert people(organisation) == people(other_organisation)


def test_a_call_of_ten_thousand_full_rows_is_read_whole(api):
    # About 3 MB of JSON: beyond Django's default limit on a body read into memory. The one
    # bad row shows that the body was read and checked (a 422 naming it, not a 400).
    row = {
        "email": "elise.durand@cabinet-des-tilleuls.example.org",
        "first_name": "Élise",
        "last_name": "Durand-Lefebvre",
        "practice_name": "Maison de santé pluriprofessionnelle des Tilleuls",
        "practice_address": "12 avenue du Général-de-Gaulle, bâtiment B, 33000 Bordeaux",
        "specialty": "Médecine générale",
        "commune": "Bordeaux",
    }
    rows = [row] * 9_999 + [{**row, "email": "x" * 300}]
    answer = api(Scope.WRITE_PEOPLE).send("post", "/people/bulk", {"rows": rows})
    assert len(json.dumps({"rows": rows})) > 2_621_440
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "rows.9999.email"
    assert not Person.objects.exists()


def test_bulk_refuses_more_than_ten_thousand_rows(api):
    client = api(Scope.WRITE_PEOPLE)
    rows = [{"email": f"p{n}@example.org"} for n in range(10_001)]
    answer = client.send("post", "/people/bulk", {"rows": rows})
    assert answer.status_code == 422
    assert not Person.objects.exists()


def test_a_filter_value_with_a_nul_character_is_refused_not_a_server_error(api):
    # PostgreSQL cannot compare text holding NUL: the value is refused before any query.
    refused = api(Scope.READ_PEOPLE).get("/people", tag="a\x00b")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "tag.0"


def test_a_nul_character_in_a_bulk_row_is_dropped(api, organisation):
    answer = api(Scope.WRITE_PEOPLE).send(
        "post", "/people/bulk", {"rows": [{"email": "a@example.org", "last_name": "Dur\x00and"}]}
    )
    assert answer.status_code == 200 and answer.json()["new"] == 1
    assert Person.objects.get(organisation=organisation).last_name == "Durand"
