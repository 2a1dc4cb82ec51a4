"""Validation errors in the caller's language: each common kind through the API in French
and English, every kind pydantic has mapped to a French sentence, and wrong values sent to
every body field of every operation answered in French only, with pydantic's type and
location kept."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import AnyUrl, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from hygie.api.errors import MESSAGES, field_error
from hygie.api.tests.english import ERROR_TYPES, english_in, known_error
from hygie.api.tests.test_schema import BODIES
from hygie.audience.models import Person
from hygie.incidents.models import IncidentReport
from hygie.incidents.tests.helpers import make_report

LONG = "x" * 151
# (what is sent, the field, pydantic's type, its location, the French and English message)
CASES: dict[str, tuple[Any, ...]] = {
    "missing": (
        ("post", "/people", {}),
        "email",
        ["body", "email"],
        "Le champ « email » est obligatoire.",
        "The field “email” is required.",
    ),
    "string_type": (
        ("post", "/people", {"email": 3}),
        "email",
        ["body", "email"],
        "Le champ « email » doit être un texte.",
        "The field “email” must be text.",
    ),
    "string_too_long": (
        ("post", "/people", {"email": "a@example.org", "first_name": LONG}),
        "first_name",
        ["body", "first_name"],
        "Le champ « first_name » doit compter au plus 150 caractères.",
        "The field “first_name” must have at most 150 characters.",
    ),
    "int_parsing": (
        ("post", "/simulations/1/launch", {"recipients": "trois"}),
        "recipients",
        ["body", "recipients"],
        "Le champ « recipients » doit être un nombre entier.",
        "The field “recipients” must be a whole number.",
    ),
    "int_from_float": (
        ("post", "/campaigns/1/launch", {"recipients": 2.5}),
        "recipients",
        ["body", "recipients"],
        "Le champ « recipients » doit être un nombre entier.",
        "The field “recipients” must be a whole number.",
    ),
    "greater_than_equal": (
        ("post", "/simulations/1/launch", {"recipients": -1}),
        "recipients",
        ["body", "recipients"],
        "Le champ « recipients » doit valoir au moins 0.",
        "The field “recipients” must be at least 0.",
    ),
    "less_than_equal": (
        ("get", "/people", {"limit": 501}),
        "limit",
        ["query", "limit"],
        "Le champ « limit » doit valoir au plus 500.",
        "The field “limit” must be at most 500.",
    ),
    "too_short": (
        ("post", "/people/bulk", {"rows": []}),
        "rows",
        ["body", "rows"],
        "Le champ « rows » doit compter au moins 1 élément.",
        "The field “rows” must have at least 1 item.",
    ),
    "too_long": (
        ("patch", "/people/1", {"tags": ["a"] * 51}),
        "tags",
        ["body", "tags"],
        "Le champ « tags » doit compter au plus 50 éléments.",
        "The field “tags” must have at most 50 items.",
    ),
    "list_type": (
        ("post", "/people/bulk", {"rows": "toutes"}),
        "rows",
        ["body", "rows"],
        "Le champ « rows » doit être une liste.",
        "The field “rows” must be a list.",
    ),
    "enum": (
        ("get", "/simulations/1/results/people", {"outcome": "opened"}),
        "outcome",
        ["query", "outcome"],
        "Le champ « outcome » doit valoir l’une de ces valeurs : clicked, submitted, reported.",
        "The field “outcome” must be one of: clicked, submitted, reported.",
    ),
    "string_pattern_mismatch": (
        ("get", "/people", {"cursor": "dix"}),
        "cursor",
        ["query", "cursor"],
        "Le champ « cursor » n’a pas la forme attendue (motif ^[0-9]{1,18}$).",
        "The field “cursor” does not have the expected form (pattern ^[0-9]{1,18}$).",
    ),
    "int_parsing in a path": (
        ("get", "/figures/deux-mille", None),
        "year",
        ["path", "year"],
        "Le champ « year » doit être un nombre entier.",
        "The field “year” must be a whole number.",
    ),
    "string_too_long in a list of a query": (
        ("get", "/people", {"departement": "3" * 201}),
        "departement.0",
        ["query", "departement", 0],
        "Le champ « departement.0 » doit compter au plus 200 caractères.",
        "The field “departement.0” must have at most 200 characters.",
    ),
    "missing in a row of a bulk call": (
        ("post", "/people/bulk", {"rows": [{"email": "a@example.org"}, {"last_name": "B"}]}),
        "rows.1.email",
        ["body", "rows", 1, "email"],
        "Le champ « rows.1.email » est obligatoire.",
        "The field “rows.1.email” is required.",
    ),
}


def _call(api, request: tuple[str, str, Any], language: str):  # type: ignore[no-untyped-def]
    method, path, data = request
    if method == "get":
        return api.get(path, language=language, **(data or {}))
    return api.send(method, path, data, **{"Accept-Language": language})


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_each_common_error_is_answered_in_french_and_in_english(api, case):
    request, field, loc, french, english = CASES[case]
    kind = case.split(" ")[0]
    client = api()
    for language, message in (("fr", french), ("en", english)):
        answer = _call(client, request, language)
        assert answer.status_code == 422, answer.content
        body = answer.json()
        assert body["detail"] == (
            "Certaines valeurs ne sont pas valides."
            if language == "fr"
            else "Some values are not valid."
        )
        assert body["errors"] == [{"field": field, "message": message, "type": kind, "loc": loc}]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_row_the_import_refuses_is_answered_in_the_callers_language(api):
    client = api()
    french = client.send(
        "post", "/people", {"email": "pas-une-adresse"}, **{"Accept-Language": "fr"}
    )
    english = client.send(
        "post", "/people", {"email": "pas-une-adresse"}, **{"Accept-Language": "en"}
    )
    assert french.status_code == english.status_code == 422
    [error] = french.json()["errors"]
    assert (error["field"], error["type"], error["loc"]) == ("body", "value_error", ["body"])
    assert english_in(error["message"]) == [] and "adresse" in error["message"]
    assert english.json()["errors"][0]["message"] != error["message"]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_in_the_callers_language(api):
    client = api()
    for language, detail in (
        ("fr", "Le corps de la requête n’est pas du JSON valide."),
        ("en", "The request body is not valid JSON."),
    ):
        answer = client.client.post(
            "/api/v1/people",
            data="{email: ",
            content_type="application/json",
            headers={**client.headers, "Accept-Language": language},
        )
        assert (answer.status_code, answer.json()) == (400, {"detail": detail})


# --- Kinds the API's schemas do not produce today, with pydantic's real errors -----------


class Inner(BaseModel):
    name: str


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date | None = None
    at: datetime | None = None
    flag: bool | None = None
    ratio: float | None = None
    code: str = Field("abc", min_length=2)
    share: int = Field(1, gt=0, lt=100)
    step: int = Field(0, multiple_of=5)
    site: AnyUrl | None = None
    ident: UUID | None = None
    kind: Literal["a", "b"] = "a"
    inner: Inner | None = None


SAMPLES = [
    (
        "day",
        "31/12/2026",
        "date_from_datetime_parsing",
        "doit être une date (AAAA-MM-JJ)",
        "must be a date (YYYY-MM-DD)",
    ),
    (
        "at",
        "demain",
        "datetime_from_date_parsing",
        "doit être une date avec l’heure (ISO 8601)",
        "must be a date and time (ISO 8601)",
    ),
    ("flag", "peut-être", "bool_parsing", "doit valoir true ou false", "must be true or false"),
    ("ratio", "moitié", "float_parsing", "doit être un nombre", "must be a number"),
    (
        "code",
        "a",
        "string_too_short",
        "doit compter au moins 2 caractères",
        "must have at least 2 characters",
    ),
    ("share", 0, "greater_than", "doit être supérieur à 0", "must be greater than 0"),
    ("share", 100, "less_than", "doit être inférieur à 100", "must be less than 100"),
    ("step", 7, "multiple_of", "doit être un multiple de 5", "must be a multiple of 5"),
    (
        "site",
        "pas une adresse",
        "url_parsing",
        "doit être une adresse web",
        "must be a web address",
    ),
    ("ident", "abc", "uuid_parsing", "doit être un UUID", "must be a UUID"),
    (
        "kind",
        "c",
        "literal_error",
        "doit valoir l’une de ces valeurs : a, b",
        "must be one of: a, b",
    ),
    ("inner", 3, "model_type", "doit être un objet", "must be an object"),
    ("surplus", 1, "extra_forbidden", "n’est pas attendu", "is not expected"),
]


def _errors_of(values: dict[str, object]) -> list[dict[str, Any]]:
    with pytest.raises(PydanticError) as raised:
        Sample.model_validate(values)
    # As ninja gives them: the source and the view's parameter first, no input.
    return [
        {**error, "loc": ("body", "payload", *error["loc"])}
        for error in raised.value.errors(include_url=False, include_input=False)
    ]


@pytest.mark.parametrize(("name", "value", "kind", "french", "english"), SAMPLES)
def test_other_kinds_are_translated_with_their_context(name, value, kind, french, english):
    [error] = _errors_of({name: value})
    assert error["type"] == kind
    with translation.override("fr"):
        assert field_error(error) == {
            "field": name,
            "message": f"Le champ « {name} » {french}.",
            "type": kind,
            "loc": ["body", name],
        }
    with translation.override("en"):
        assert field_error(error)["message"] == f"The field “{name}” {english}."


def test_every_pydantic_error_kind_gets_a_french_sentence_naming_the_field():
    """Mapped or not, with or without its context values: never pydantic's English."""
    unmapped = []
    for kind in ERROR_TYPES:
        known = known_error(kind)
        for context in (known.context, None):
            error = {
                "type": kind,
                "loc": ("body", "payload", "rows", 2, "first_name"),
                "msg": known.message(),
                "ctx": context,
            }
            with translation.override("fr"):
                answer = field_error(error)
            assert answer["type"] == kind and answer["loc"] == ["body", "rows", 2, "first_name"]
            assert "« rows.2.first_name »" in answer["message"], answer
            assert english_in(answer["message"]) == [], (kind, answer["message"])
        if kind not in MESSAGES:
            unmapped.append(kind)
    with translation.override("fr"):
        generic = field_error({"type": "a_future_kind", "loc": ("query", "limit"), "msg": "Bad"})
    assert generic["message"] == "La valeur du champ « limit » n’est pas valide."
    # The common kinds have their own sentence, not the generic one.
    assert not {"missing", "string_type", "int_parsing", "enum", "too_long"} & set(unmapped)


def test_an_error_of_the_apis_own_code_keeps_its_translated_message():
    own = {"loc": ("body", "payload", "status"), "msg": "Statut inconnu."}
    assert field_error(own) == {
        "field": "status",
        "message": "Statut inconnu.",
        "type": "value_error",
        "loc": ["body", "status"],
    }


def test_the_english_check_finds_english():
    assert english_in("Input should be a valid string") != []
    assert english_in("Field required") != []
    assert english_in("Le champ « first_name » doit être un texte.") == []


# --- Wrong values to every body field of every operation, from the schema ---------------


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """A field's schema without references, and without `null` for an optional field."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _fields(schema: dict[str, Any], spec: dict[str, Any], path: tuple[Any, ...] = ()):  # type: ignore[no-untyped-def]
    """Every field of a body, nested ones (a row of a list) included: (path, its schema)."""
    for name, field in _resolve(schema, spec).get("properties", {}).items():
        resolved = _resolve(field, spec)
        yield (*path, name), resolved
        items = _resolve(resolved.get("items", {}), spec)
        if resolved.get("type") == "array" and "properties" in items:
            yield from _fields(items, spec, (*path, name, 0))


_NOT_A_NUMBER = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèà", min_size=1, max_size=12)
_SHAPES = st.one_of(
    st.lists(st.integers(), max_size=3), st.dictionaries(_NOT_A_NUMBER, st.integers(), max_size=2)
)


def _wrong(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values this field refuses: another type, or beyond its limits."""
    kind = schema.get("type")
    if "enum" in schema:
        return st.one_of(_NOT_A_NUMBER.filter(lambda v: v not in schema["enum"]), st.integers())
    if kind == "string":
        wrong = [
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.booleans(),
            _SHAPES,
        ]
        if "maxLength" in schema:
            limit = schema["maxLength"]
            wrong.append(st.text(min_size=limit + 1, max_size=limit + 20))
        return st.one_of(*wrong)
    if kind == "integer":
        wrong = [
            _NOT_A_NUMBER,
            st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not v.is_integer()),
            _SHAPES,
        ]
        if "minimum" in schema:
            wrong.append(st.integers(max_value=schema["minimum"] - 1))
        if "maximum" in schema:
            wrong.append(st.integers(min_value=schema["maximum"] + 1))
        return st.one_of(*wrong)
    if kind == "array":
        return st.one_of(
            _NOT_A_NUMBER, st.integers(), st.dictionaries(_NOT_A_NUMBER, st.integers(), max_size=2)
        )
    raise AssertionError(f"no wrong values for {schema}")


def _with(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    body = json.loads(json.dumps(body))
    place = body
    for part in path[:-1]:
        place = place[part]
    place[path[-1]] = value
    return body


def _refused_in_french(  # type: ignore[no-untyped-def]
    client, headers, method: str, path: str, base: Any, field: tuple[Any, ...], schema
) -> None:
    """Generated wrong values for one field: each refused, naming it, in French only."""
    name = ".".join(str(part) for part in field)

    @given(value=_wrong(schema))
    @hypothesis_settings(
        max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(value):  # type: ignore[no-untyped-def]
        answer = getattr(client, method)(
            path,
            data=json.dumps(_with(base, field, value)),
            content_type="application/json",
            headers=headers,
        )
        assert answer.status_code == 422, (method, path, name, value, answer.content)
        body = answer.json()
        errors = body["errors"]
        assert any(e["field"] == name or e["field"].startswith(f"{name}.") for e in errors), (
            name,
            value,
            errors,
        )
        for error in errors:
            assert error["type"] and error["loc"][0] == "body"
            assert english_in(error["message"]) == [], (value, error)
        assert english_in(body["detail"]) == []

    check()


@pytest.mark.slow  # every field of every body (see hygie/testing/selection.py)
@pytest.mark.django_db
def test_wrong_values_in_every_body_field_are_refused_in_french_only(
    token_for, organisation, settings
):
    settings.API_CALLS_PER_MINUTE = 1_000_000
    incident = make_report(organisation)
    client = Client()
    headers = {"Authorization": f"Bearer {token_for()}", "Accept-Language": "fr"}
    spec = client.get("/api/v1/openapi.json").json()
    checked = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            path = template.replace("{incident_id}", str(incident.pk))
            path = path.replace("{person_id}", "1").replace("{campaign_id}", "1")
            base = BODIES[template]
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            for field, field_schema in _fields(schema, spec):
                name = ".".join(str(part) for part in field)
                checked.append((method, template, name))

                _refused_in_french(client, headers, method, path, base, field, field_schema)
    # Every writing operation was walked, and the fields of a bulk call's rows with it.
    assert {(m, t) for m, t, _ in checked} == {
        ("post", t) for t in BODIES if t != "/api/v1/people/{person_id}"
    } | {("patch", "/api/v1/people/{person_id}")}
    assert ("post", "/api/v1/people/bulk", "rows.0.first_name") in checked
    assert IncidentReport.objects.get().status == "new" and not Person.objects.exists()
