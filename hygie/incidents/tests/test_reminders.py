"""Email reminders to the desk before an obligation of an open report is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from hygie.incidents.models import DeadlineReminder, IncidentReport, ReportStatus
from hygie.incidents.reminders import REMIND_BEFORE, remind_near_deadlines
from hygie.incidents.tests.helpers import make_report
from hygie.operations.schedule import DUE_WORK_SOURCES

pytestmark = pytest.mark.django_db(transaction=True)  # reminders are sent after commit

HOUR = dt.timedelta(hours=1)


def ransomware_discovered(organisation, hours_ago: float, **fields):
    """A ransomware report: CNIL notification and complaint both due 72 h after discovery."""
    report = make_report(
        organisation, discovered_at=timezone.now() - hours_ago * HOUR, name="Dr Sensible", **fields
    )
    mail.outbox.clear()  # the notice of the new report
    return report


def test_handlers_are_reminded_once_per_obligation_shortly_before_it_is_due(organisation, handler):
    report = ransomware_discovered(organisation, hours_ago=66)  # due in 6 hours

    assert remind_near_deadlines() == 2  # CNIL notification and complaint
    assert remind_near_deadlines() == 0  # never twice

    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [handler.email]
    assert report.reference in message.subject
    assert "Dr Sensible" not in message.body  # the person is read in the console only
    assert f"/console/incidents/{report.pk}/" in message.body
    assert DeadlineReminder.objects.filter(report=report).count() == 2


def test_no_reminder_too_early_after_the_deadline_or_for_closed_reports(organisation, handler):
    far = ransomware_discovered(organisation, hours_ago=10)  # due in 62 hours
    passed = ransomware_discovered(organisation, hours_ago=80)  # due 8 hours ago
    closed = ransomware_discovered(organisation, hours_ago=66)
    IncidentReport.objects.filter(pk=closed.pk).update(status=ReportStatus.CLOSED)

    assert remind_near_deadlines() == 0
    assert mail.outbox == []

    later = timezone.now() + (62 * HOUR - REMIND_BEFORE) + HOUR
    assert remind_near_deadlines(now=later) == 2
    assert {r.report_id for r in DeadlineReminder.objects.all()} == {far.pk}
    assert passed.pk != far.pk


def test_the_assignee_alone_is_reminded_when_there_is_one(organisation, handler, staff_of):
    from hygie.accounts.roles import Role

    other = staff_of(Role.INCIDENT_HANDLER)
    report = ransomware_discovered(organisation, hours_ago=66)
    IncidentReport.objects.filter(pk=report.pk).update(assignee=other)

    remind_near_deadlines()

    assert {tuple(message.to) for message in mail.outbox} == {(other.email,)}


def test_a_mail_server_failure_does_not_stop_the_scheduler_and_the_next_pass_sends(
    organisation, handler, settings
):
    mailers = settings.MAILERS
    settings.MAILERS = {
        "default": {"BACKEND": "hygie.incidents.tests.test_reminders.BrokenBackend"}
    }
    report = ransomware_discovered(organisation, hours_ago=66)
    assert remind_near_deadlines() == 2  # tried; the failure is logged
    assert not DeadlineReminder.objects.filter(report=report).exists()

    settings.MAILERS = mailers  # the relay is back
    assert remind_near_deadlines() == 2
    assert remind_near_deadlines() == 0
    assert len(mail.outbox) == 2


def test_reminders_run_from_the_scheduler():
    assert remind_near_deadlines in DUE_WORK_SOURCES


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
