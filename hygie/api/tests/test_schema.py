"""Property-based testing of the API against its own OpenAPI schema (schemathesis):
whatever is sent, no server error, and every answer valid against the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hygie.audience.models import Person, Segment


@pytest.fixture
def api_schema(db, settings, organisation, token_for):  # type: ignore[no-untyped-def]
    settings.API_CALLS_PER_MINUTE = 1_000_000
    Person.objects.create(organisation=organisation, email="dr1@example.org", departement="33")
    Segment.objects.create(organisation=organisation, name="Gironde", filters={})
    # The console's host name: "localhost" is the tracking host in tests.
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), headers={"Host": "testserver"}
    )
    loaded.token = token_for()  # type: ignore[attr-defined]
    return loaded


def test_the_api_answers_every_request_within_its_schema(api_schema):  # type: ignore[no-untyped-def]
    # Driven by hand rather than by schemathesis' pytest plugin, which does not run under
    # this pytest: each operation gets its own generated cases.
    headers = {"Authorization": f"Bearer {api_schema.token}", "Host": "testserver"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):  # type: ignore[no-untyped-def]
            # Every check but "schema-valid data is accepted": an email address, an RPPS
            # number's check digit or a département code are checked beyond what a schema
            # can say, and are refused with a 422 naming the value.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()


def test_the_schema_is_served_and_lists_every_operation(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/v1/people",
        "/api/v1/people/bulk",
        "/api/v1/people/{person_id}",
        "/api/v1/segments",
    }
