"""Property-based testing of the API against its own OpenAPI schema (schemathesis):
whatever is sent, no server error, and every answer valid against the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hygie.api.scopes import Scope
from hygie.audience.models import Person, Segment
from hygie.incidents.models import IncidentReport
from hygie.incidents.tests.helpers import make_report
from hygie.reporting.intake import ingest_text


@pytest.fixture
def _connection_kept():  # type: ignore[no-untyped-def]
    # Schemathesis calls the WSGI application itself, whose end-of-request signal closes
    # a connection left outside autocommit: the test's own transaction, on PostgreSQL.
    # Django's test client detaches that handler in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, organisation, token_for, _connection_kept):  # type: ignore[no-untyped-def]
    settings.API_CALLS_PER_MINUTE = 1_000_000
    Person.objects.create(organisation=organisation, email="dr1@example.org", departement="33")
    Segment.objects.create(organisation=organisation, name="Gironde", filters={})
    ingest_text(organisation=organisation, text="Colis bloqué")
    make_report(organisation)
    # The console's host name: "localhost" is the tracking host in tests.
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), headers={"Host": "testserver"}
    )
    loaded.token = token_for()  # type: ignore[attr-defined]
    return loaded


@pytest.mark.slow  # generates requests for every operation (see hygie/testing/selection.py)
def test_the_api_answers_every_request_within_its_schema(api_schema):  # type: ignore[no-untyped-def]
    # Driven by hand rather than by schemathesis' pytest plugin, which does not run under
    # this pytest: each operation gets its own generated cases.
    headers = {"Authorization": f"Bearer {api_schema.token}", "Host": "testserver"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 23

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


def test_answers_with_real_rows_are_valid_against_the_schema(clicked, api_schema):  # type: ignore[no-untyped-def]
    """Generated cases rarely hit an existing simulation: these calls do, so that answers
    with rows (named results with a timeline) are checked against the schema too. (`clicked`
    comes first: its test client reconnects the handler `_connection_kept` detaches.)"""
    headers = {"Authorization": f"Bearer {api_schema.token}", "Host": "testserver"}
    campaign, _first, _second = clicked
    named = api_schema["/api/v1/simulations/{campaign_id}/results/people"]["GET"]
    for outcome in ("clicked", "reported", "submitted"):
        case = named.Case(path_parameters={"campaign_id": campaign.pk}, query={"outcome": outcome})
        response = case.call_and_validate(headers=headers)
        assert response.status_code == 200
        assert len(response.json()["items"]) == (0 if outcome == "submitted" else 1)


def test_launches_and_status_changes_are_valid_against_the_schema(api_schema, admin, organisation):  # type: ignore[no-untyped-def]
    from hygie.api.tests.test_results_api import awareness_of
    from hygie.phishing.tests.support import open_window

    headers = {"Authorization": f"Bearer {api_schema.token}", "Host": "testserver"}
    campaign = awareness_of(organisation, admin)
    open_window(campaign.mailing)
    path = "/api/v1/campaigns/{campaign_id}/launch"
    forecast = api_schema[path]["GET"].Case(path_parameters={"campaign_id": campaign.pk})
    recipients = forecast.call_and_validate(headers=headers).json()["recipients"]
    launch = api_schema[path]["POST"].Case(
        path_parameters={"campaign_id": campaign.pk}, body={"recipients": recipients}
    )
    assert launch.call_and_validate(headers=headers).json()["deliveries"] == recipients == 1
    incident = IncidentReport.objects.get()
    change = api_schema["/api/v1/incidents/{incident_id}/status"]["POST"].Case(
        path_parameters={"incident_id": incident.pk}, body={"status": "closed"}
    )
    assert change.call_and_validate(headers=headers).json()["closed_at"] is not None


BODIES = {
    "/api/v1/people": {"email": "dr9@example.org"},
    "/api/v1/people/bulk": {"rows": [{"email": "dr9@example.org"}]},
    "/api/v1/people/{person_id}": {},
    "/api/v1/simulations/{campaign_id}/launch": {"recipients": 1},
    "/api/v1/campaigns/{campaign_id}/launch": {"recipients": 1},
    "/api/v1/incidents/{incident_id}/status": {"status": "closed"},
}


def test_every_operation_needs_the_scope_its_schema_names(api_schema, token_for):  # type: ignore[no-untyped-def]
    """The scope in the schema (`x-scope`, shown on the reference page) is the one checked:
    a token with every other scope is refused, with an answer the schema describes."""
    for result in api_schema.get_all_operations():
        operation = result.ok()
        scope = Scope(operation.definition.raw["x-scope"])
        lacking = token_for(*(s for s in Scope if s != scope))
        body = BODIES.get(operation.path, NOT_SET) if operation.method != "get" else NOT_SET
        case = operation.Case(
            path_parameters={p.name: 1 for p in operation.path_parameters},
            body=body,
            media_type="application/json" if body is not NOT_SET else None,
        )
        headers = {"Authorization": f"Bearer {lacking}", "Host": "testserver"}
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        assert response.status_code == 403, (operation.method, operation.path)
        assert scope.value in response.json()["detail"]


def test_the_schema_is_served_and_lists_every_operation(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/v1/people",
        "/api/v1/people/bulk",
        "/api/v1/people/{person_id}",
        "/api/v1/segments",
        "/api/v1/simulations",
        "/api/v1/simulations/{campaign_id}",
        "/api/v1/simulations/{campaign_id}/results",
        "/api/v1/simulations/{campaign_id}/results/people",
        "/api/v1/simulations/{campaign_id}/launch",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}",
        "/api/v1/campaigns/{campaign_id}/launch",
        "/api/v1/figures/{year}",
        "/api/v1/reports",
        "/api/v1/reports/{report_id}",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/incidents/{incident_id}/status",
    }
