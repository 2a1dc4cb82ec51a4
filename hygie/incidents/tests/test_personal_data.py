"""A report's personal data: exported and erased on request, erased after the retention period."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.incidents import selectors, services
from hygie.incidents.models import IncidentReport, ReportNote, ReportStatus
from hygie.incidents.tests.helpers import make_report, make_slot
from hygie.operations.schedule import DUE_WORK_SOURCES

pytestmark = pytest.mark.django_db

SENDER = {
    "name": "Dr Aurore Lacaze",
    "practice": "Cabinet du Lavoir",
    "email": "aurore.lacaze@example.org",
    "phone": "0612487520",
    "message": "Mon associé a cliqué sur la facture piégée",
}


def everything_stored() -> str:
    """Every text value of the report and note tables, for searching leftovers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM incidents_incidentreport")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM incidents_reportnote")
        rows += cursor.fetchall()
    return repr(rows)


@pytest.fixture
def desk(console, handler):
    client = console(handler)
    client.cookies["django_language"] = "en"
    return client


def closed(report, when):
    IncidentReport.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED, closed_at=when)
    report.refresh_from_db()
    return report


def test_the_export_holds_the_sender_details_and_notes_and_is_audited(desk, organisation, handler):
    report = make_report(organisation, **SENDER)
    services.report_add_note(
        report=report, text="Rappelé, sauvegardes intactes", actor=Actor.staff(handler)
    )

    response = desk.get(reverse("desk:report_personal_data", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-{report.reference}-personal-data.json"')
    data = json.loads(response.content)
    assert data["name"] == SENDER["name"]
    assert data["email"] == SENDER["email"]
    assert data["message"] == SENDER["message"]
    assert [note["text"] for note in data["desk_notes"]] == ["Rappelé, sauvegardes intactes"]
    entry = AuditEntry.objects.get(action="incident.personal_data_exported")
    assert entry.actor == handler
    assert entry.target_id == str(report.pk)


def test_erasure_on_request_removes_every_trace_but_keeps_the_situation(
    desk, organisation, handler
):
    slot = make_slot(organisation)
    report = make_report(organisation, slot=slot, **SENDER)
    services.report_add_note(report=report, text="Note sur Dr Lacaze", actor=Actor.staff(handler))

    refused = desk.post(reverse("desk:report_erase", args=[report.pk]))
    assert refused.status_code == 400  # the confirmation box was not ticked
    assert IncidentReport.objects.get(pk=report.pk).name == SENDER["name"]

    response = desk.post(reverse("desk:report_erase", args=[report.pk]), {"confirm": "yes"})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.anonymised_at is not None
    assert report.outcome_id == "ransomware"  # the situation stays for the statistics
    assert report.slot is None  # the place in the call-back slot is freed
    assert not ReportNote.objects.filter(report=report).exists()
    stored = everything_stored()
    for value in (*SENDER.values(), "Note sur Dr Lacaze"):
        assert value not in stored
    assert AuditEntry.objects.filter(
        action="incident.personal_data_erased", details__reason="request"
    ).exists()
    page = desk.get(reverse("desk:report", args=[report.pk])).content.decode()
    assert "Personal data erased on request" in page
    again = desk.post(reverse("desk:report_erase", args=[report.pk]), {"confirm": "yes"})
    assert again.status_code == 400


def test_another_organisation_cannot_export_or_erase(console, other_handler, organisation):
    report = make_report(organisation, **SENDER)
    client = console(other_handler)
    assert client.get(reverse("desk:report_personal_data", args=[report.pk])).status_code == 404
    erase = client.post(reverse("desk:report_erase", args=[report.pk]), {"confirm": "yes"})
    assert erase.status_code == 404
    assert IncidentReport.objects.get(pk=report.pk).anonymised_at is None


def test_closed_reports_are_erased_after_the_retention_period(organisation):
    organisation.retention_months = 12
    organisation.save()
    now = timezone.now()
    old = closed(make_report(organisation, **SENDER), now - dt.timedelta(days=370))
    recent = closed(make_report(organisation, **SENDER), now - dt.timedelta(days=300))
    still_open = make_report(organisation, **SENDER)
    IncidentReport.objects.filter(pk=still_open.pk).update(created_at=now - dt.timedelta(days=900))

    assert services.reports_purge_expired(now=now) == 1
    assert services.reports_purge_expired(now=now) == 0  # idempotent

    old.refresh_from_db()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert old.anonymised_at == now and old.email == "" and old.name == ""
    assert recent.anonymised_at is None and recent.email == SENDER["email"]
    assert still_open.anonymised_at is None  # a case in hand keeps its contact details
    entry = AuditEntry.objects.get(action="incident.personal_data_erased")
    assert entry.actor is None
    assert entry.details == {"reason": "retention", "months": 12}


def test_each_organisation_keeps_reports_for_its_own_period(organisation, other_organisation):
    organisation.retention_months = 6
    organisation.save()
    other_organisation.retention_months = 36
    other_organisation.save()
    now = timezone.now()
    ours = closed(make_report(organisation, **SENDER), now - dt.timedelta(days=200))
    theirs = closed(make_report(other_organisation, **SENDER), now - dt.timedelta(days=200))

    services.reports_purge_expired(now=now)

    assert IncidentReport.objects.get(pk=ours.pk).anonymised_at is not None
    assert IncidentReport.objects.get(pk=theirs.pk).anonymised_at is None


def test_the_desk_shows_when_the_details_will_be_erased(desk, organisation):
    organisation.retention_months = 24
    organisation.save()
    report = closed(
        make_report(organisation, **SENDER), dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.UTC)
    )
    assert selectors.erasure_date(report) == dt.datetime(2028, 3, 31, 10, 0, tzinfo=dt.UTC)
    page = desk.get(reverse("desk:report", args=[report.pk])).content.decode()
    assert "will be erased automatically on 31 March 2028" in page


def test_the_retention_job_runs_from_the_scheduler():
    assert services.reports_purge_expired in DUE_WORK_SOURCES
