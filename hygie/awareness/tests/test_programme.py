"""The annual programme: dates, themes, drafts made ahead once, notices, validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.audience.models import Person, Segment
from hygie.awareness import programme as planning
from hygie.awareness.models import AwarenessCampaign, ProgrammeStep, StepStatus, ThemeMode
from hygie.delivery.models import MailingStatus
from hygie.library.content import capsules_sync
from hygie.library.themes import THEMES
from hygie.operations.schedule import DUE_WORK_SOURCES

START = date(2027, 1, 11)


@pytest.fixture(autouse=True)
def _programme_order_only(monkeypatch):
    """These tests check the programme's own order: rankers installed by other apps (the
    analytics recommendation) are set aside; a test adds its own when it needs one."""
    monkeypatch.setattr(planning, "THEME_RANKERS", [])


@pytest.fixture
def programme(organisation, admin, member):
    capsules_sync()
    for n in range(3):
        Person.objects.create(organisation=organisation, email=f"p{n}@example.org")
    current = planning.programme_of(organisation)
    current.enabled = True
    current.segment = Segment.objects.create(organisation=organisation, name="Tous")
    current.start_date = START
    current.save()
    return current


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def run_year(start: date) -> None:
    """The scheduler, every third day for a year (a controlled clock)."""
    for offset in range(0, 366, 3):
        planning.prepare_due_steps(now=at(start + timedelta(days=offset)))


def test_a_year_of_capsules_every_eight_weeks_with_each_theme_once(programme, settings):
    run_year(date(2027, 1, 1))
    steps = list(ProgrammeStep.objects.order_by("planned_for"))
    assert [s.planned_for for s in steps] == [
        START + timedelta(weeks=8 * k) for k in range(len(steps))
    ]
    assert len(steps) == 7  # 11 January 2027 to 28 December 2027
    themes = [s.theme for s in steps]
    assert len(set(themes)) == len(themes)  # least recently covered first: no repeat
    assert all(s.status == StepStatus.DRAFT for s in steps)
    assert AwarenessCampaign.objects.count() == 7
    assert all(
        s.campaign.mailing.status == MailingStatus.DRAFT
        and s.campaign.mailing.send_start.date() == s.planned_for
        for s in steps
    )


def test_drafts_are_made_ahead_and_only_once(programme):
    before = START - timedelta(days=programme.lead_days + 1)
    assert planning.prepare_due_steps(now=at(before)) == 0
    first_day = START - timedelta(days=programme.lead_days)
    assert planning.prepare_due_steps(now=at(first_day)) == 1
    # The next days, and a second scheduler, find the step already made.
    assert planning.prepare_due_steps(now=at(first_day)) == 0
    assert planning.prepare_due_steps(now=at(first_day + timedelta(days=1))) == 0
    assert ProgrammeStep.objects.count() == 1
    assert AwarenessCampaign.objects.count() == 1


def test_managers_are_told_before_each_capsule(
    programme, admin, member, staff_of, django_capture_on_commit_callbacks
):
    analyst = staff_of(Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        planning.prepare_due_steps(now=at(START - timedelta(days=3)))
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert sorted(notice.to) == sorted([admin.email, member.email])
    assert analyst.email not in notice.to
    assert "/console/awareness/programme/" in notice.body


def test_themes_follow_the_planned_order(programme):
    programme.theme_mode = ThemeMode.PLANNED
    programme.theme_order = ["ransomware", "backups"]
    programme.save()
    run_year(date(2027, 1, 1))
    themes = list(ProgrammeStep.objects.order_by("planned_for").values_list("theme", flat=True))
    assert themes[:4] == ["ransomware", "backups", "ransomware", "backups"]


def test_automatic_themes_start_with_those_not_covered_for_longest(programme, organisation):
    covered = planning.last_covered(organisation)
    ranked = planning.rank_themes(organisation, covered)
    assert ranked == list(THEMES)  # nothing covered yet: library order
    covered = {"phishing_email": date(2026, 9, 1), "backups": date(2025, 1, 1)}
    ranked = planning.rank_themes(organisation, covered)
    assert ranked[-2:] == ["backups", "phishing_email"]


def test_another_app_can_rank_themes(programme, organisation):
    def weakest_first(org, themes):
        assert org == organisation
        return ["ransomware", "not-a-theme"]

    planning.THEME_RANKERS.append(weakest_first)
    try:
        ranked = planning.rank_themes(organisation, {})
    finally:
        planning.THEME_RANKERS.remove(weakest_first)
    assert ranked[0] == "ransomware"
    assert sorted(ranked) == sorted(THEMES)


def test_automatic_sending_launches_for_the_date(programme, django_capture_on_commit_callbacks):
    programme.auto_send = True
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        planning.prepare_due_steps(now=at(START - timedelta(days=5)))
    step = ProgrammeStep.objects.get()
    assert step.status == StepStatus.SCHEDULED
    mailing = step.campaign.mailing
    assert mailing.status == MailingStatus.SCHEDULED
    assert min(mailing.deliveries.values_list("scheduled_at", flat=True)).date() >= START
    # The notice is in the organisation's language and says the capsule is scheduled.
    with translation.override(programme.organisation.language):
        prefix = gettext("Next capsule scheduled for %(date)s").split("%")[0]
    assert mail.outbox[0].subject.startswith(prefix)


def test_a_manager_validates_or_skips_drafts(programme, console, member):
    planning.prepare_due_steps(now=at(START - timedelta(days=5)))
    planning.prepare_due_steps(now=at(START + timedelta(weeks=8, days=-5)))
    first, second = ProgrammeStep.objects.order_by("planned_for")
    client = console(member)
    page = client.get(reverse("awareness:programme"))
    assert page.status_code == 200 and len(page.context["drafts"]) == 2
    url = reverse("awareness:programme_step", args=[first.pk])
    client.post(url, {"action": "validate"})
    first.refresh_from_db()
    assert first.status == StepStatus.SCHEDULED
    assert first.campaign.mailing.deliveries.count() == 3
    again = client.post(url, {"action": "validate"}, follow=True)
    assert "no longer waiting" in again.content.decode()
    client.post(reverse("awareness:programme_step", args=[second.pk]), {"action": "skip"})
    second.refresh_from_db()
    assert second.status == StepStatus.SKIPPED
    actions = set(AuditEntry.objects.filter(actor=member).values_list("action", flat=True))
    assert {"awareness.step_validated", "awareness.step_skipped"} <= actions
    assert second.campaign.mailing.status == MailingStatus.CANCELLED


def test_steps_of_another_organisation_are_not_found(programme, console, outsider):
    planning.prepare_due_steps(now=at(START - timedelta(days=5)))
    step = ProgrammeStep.objects.get()
    response = console(outsider).post(
        reverse("awareness:programme_step", args=[step.pk]), {"action": "validate"}
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.status == StepStatus.DRAFT


def test_the_console_edits_the_plan_and_names_bad_input(console, admin, organisation):
    capsules_sync()
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    client = console(admin)
    data = {
        "enabled": "on",
        "segment": segment.pk,
        "start_date": "2027-01-11",
        "every_weeks": "8",
        "theme_mode": "planned",
        "theme_order": "ransomware\nastrology",
        "lead_days": "14",
        "reminder_days": "7",
        "max_reminders": "1",
    }
    bad = client.post(reverse("awareness:programme"), data)
    assert bad.status_code == 200 and "astrology" in bad.content.decode()
    assert not planning.programme_of(organisation).enabled
    no_segment = client.post(
        reverse("awareness:programme"), {**data, "segment": "", "theme_order": "ransomware"}
    )
    assert "choose who receives it" in no_segment.content.decode()
    client.post(reverse("awareness:programme"), {**data, "theme_order": "ransomware\nbackups"})
    saved = planning.programme_of(organisation)
    assert saved.enabled and saved.theme_order == ["ransomware", "backups"]
    page = client.get(reverse("awareness:programme"))
    assert [e.theme for e in page.context["plan"]][:2] in (
        ["ransomware", "backups"],
        ["backups", "ransomware"],
    )


def test_analysts_cannot_change_the_programme(console, staff_of):
    client = console(staff_of(Role.ANALYST))
    assert client.get(reverse("awareness:programme")).status_code == 403


def test_the_scheduler_knows_the_programme():
    assert planning.prepare_due_steps in DUE_WORK_SOURCES


def test_a_manager_puts_another_capsule_in_a_draft(programme, console, member):
    from hygie.library.models import Capsule

    planning.prepare_due_steps(now=at(START - timedelta(days=5)))
    step = ProgrammeStep.objects.get()
    other = Capsule.objects.filter(language="fr").exclude(theme=step.theme).first()
    url = reverse("awareness:programme_step", args=[step.pk])
    console(member).post(url, {"action": "capsule", "capsule": other.pk})
    step.refresh_from_db()
    assert step.theme == other.theme and step.campaign.capsule == other
    assert step.campaign.mailing.variants.get().subject == other.title
    console(member).post(url, {"action": "validate"})
    before = step.campaign.capsule
    response = console(member).post(url, {"action": "capsule", "capsule": other.pk}, follow=True)
    assert "no longer waiting" in response.content.decode()
    step.campaign.refresh_from_db()
    assert step.campaign.capsule == before
