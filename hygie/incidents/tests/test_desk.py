"""The incident desk: isolation between organisations, roles, audited actions, slots, figures."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.incidents import selectors
from hygie.incidents.content import load_tree
from hygie.incidents.models import CallbackSlot, IncidentReport, ReportNote, ReportStatus
from hygie.incidents.selectors import Cell, cells
from hygie.incidents.tests.helpers import (
    PHISHING_NO_DATA,
    make_report,
    make_slot,
    report_data,
)
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db

# Every desk page, GET or POST, with the arguments it needs ("report"/"slot": an object's id).
DESK_PAGES = [
    ("desk:queue", None, "get"),
    ("desk:report", "report", "get"),
    ("desk:report_status", "report", "post"),
    ("desk:report_assign", "report", "post"),
    ("desk:report_note", "report", "post"),
    ("desk:report_personal_data", "report", "get"),
    ("desk:report_erase", "report", "post"),
    ("desk:slots", None, "get"),
    ("desk:slot_delete", "slot", "post"),
    ("desk:statistics", None, "get"),
    ("desk:content", None, "get"),
]


def page(response) -> str:
    return plain(response.content.decode())


def url(name: str, kind: str | None, report=None, slot=None) -> str:
    if kind == "report":
        return reverse(name, args=[report.pk])
    if kind == "slot":
        return reverse(name, args=[slot.pk])
    return reverse(name)


@pytest.fixture
def desk(console, handler):
    client = console(handler)
    client.cookies["django_language"] = "en"
    return client


def test_every_desk_url_is_covered():
    from hygie.incidents.urls import console as desk_urls

    assert {f"desk:{p.name}" for p in desk_urls.urlpatterns} == {name for name, _, _ in DESK_PAGES}


# --- Isolation and roles -----------------------------------------------------------------


def test_a_report_sent_to_an_organisation_reaches_its_desk_only(
    client, console, organisation, handler, other_handler
):
    client.post(
        reverse("incidents:org_send", kwargs={"organisation": organisation.slug}), report_data()
    )
    report = IncidentReport.objects.get()

    ours = console(handler).get(reverse("desk:queue"))
    assert report.reference in page(ours)
    assert console(handler).get(reverse("desk:report", args=[report.pk])).status_code == 200

    theirs = console(other_handler)
    assert report.reference not in page(theirs.get(reverse("desk:queue")))
    assert theirs.get(reverse("desk:report", args=[report.pk])).status_code == 404


@pytest.mark.parametrize(("name", "kind", "method"), DESK_PAGES)
def test_another_organisations_handler_finds_nothing(
    console, organisation, other_handler, name, kind, method
):
    report = make_report(organisation)
    slot = make_slot(organisation)
    client = console(other_handler)
    target = url(name, kind, report, slot)
    response = getattr(client, method)(
        target, {"status": "closed", "assignee": other_handler.pk, "text": "x"}
    )
    if kind is None:
        assert response.status_code in (200, 302, 400)  # their own (empty) desk
    else:
        assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.assignee is None
    assert not ReportNote.objects.exists()
    assert CallbackSlot.objects.filter(pk=slot.pk).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CAMPAIGN_MANAGER])
@pytest.mark.parametrize(("name", "kind", "method"), DESK_PAGES)
def test_roles_without_the_incident_right_get_403(
    console, staff_of, organisation, role, name, kind, method
):
    report = make_report(organisation)
    slot = make_slot(organisation)
    client = console(staff_of(role))
    response = getattr(client, method)(url(name, kind, report, slot), {"status": "closed"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


@pytest.mark.parametrize("role", [Role.ADMIN, Role.INCIDENT_HANDLER])
def test_administrators_and_handlers_use_the_desk(console, staff_of, organisation, role):
    report = make_report(organisation)
    client = console(staff_of(role))
    for name in ("desk:queue", "desk:slots", "desk:statistics"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("desk:report", args=[report.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, organisation):
    report = make_report(organisation)
    for target in (reverse("desk:queue"), reverse("desk:report", args=[report.pk])):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- The queue ---------------------------------------------------------------------------


def test_the_queue_is_newest_first_and_filtered_by_status(desk, organisation):
    old = make_report(organisation)
    IncidentReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=5)
    )
    new = make_report(organisation)
    closed = make_report(organisation, status=ReportStatus.CLOSED)

    content = page(desk.get(reverse("desk:queue")))
    assert content.index(new.reference) < content.index(old.reference)
    assert closed.reference not in content  # open reports by default
    assert "5 hours ago" in content  # time since submission (no-break spaces read as spaces)

    closed_only = page(desk.get(reverse("desk:queue"), {"status": "closed"}))
    assert closed.reference in closed_only and new.reference not in closed_only
    everything = page(desk.get(reverse("desk:queue"), {"status": "all"}))
    assert all(r.reference in everything for r in (old, new, closed))
    # An unknown filter shows the open ones.
    assert closed.reference not in page(desk.get(reverse("desk:queue"), {"status": "zzz"}))


def test_the_queue_links_the_organisations_assistant(desk):
    assert "/aide/o/urps-test/" in page(desk.get(reverse("desk:queue")))


@pytest.mark.parametrize(
    ("hours_ago", "badge"),
    [
        (1, None),  # 71 h left
        (47, None),  # 25 h left
        (49, "Deadline within 24 h"),
        (71, "Deadline within 24 h"),
        (80, "Deadline passed"),
    ],
)
def test_the_deadline_badge(desk, organisation, hours_ago, badge):
    report = make_report(organisation, discovered_at=timezone.now() - dt.timedelta(hours=hours_ago))
    content = page(desk.get(reverse("desk:queue")))
    row = re.search(rf"<tr>\s*<td><a [^>]+><code>{report.reference}</code>.*?</tr>", content, re.S)
    assert row
    if badge is None:
        assert "desk-deadline" not in row.group(0)
    else:
        assert badge in row.group(0)
        assert badge in page(desk.get(reverse("desk:report", args=[report.pk])))


def test_no_badge_for_a_closed_report_or_an_outcome_without_deadline(organisation):
    long_ago = timezone.now() - dt.timedelta(days=10)
    closed = make_report(organisation, discovered_at=long_ago, status=ReportStatus.CLOSED)
    no_deadline = make_report(organisation, path=PHISHING_NO_DATA, discovered_at=long_ago)
    overdue = make_report(organisation, discovered_at=long_ago)
    assert selectors.deadline_alert(closed) is None
    assert selectors.deadline_alert(no_deadline) is None
    alert = selectors.deadline_alert(overdue)
    assert alert is not None and alert.kind == "overdue"


def test_the_badge_follows_the_engine_deadline(organisation):
    """Computed from discovered_at with the engine: 72 h of elapsed time."""
    discovered = dt.datetime(2025, 3, 28, 10, 0, tzinfo=dt.UTC)
    report = make_report(organisation, discovered_at=discovered)
    due = discovered + dt.timedelta(hours=72)
    assert selectors.deadline_alert(report, now=due - dt.timedelta(hours=24, seconds=1)) is None
    soon = selectors.deadline_alert(report, now=due - dt.timedelta(hours=23))
    assert soon is not None and soon.kind == "soon" and soon.deadline.due == due
    late = selectors.deadline_alert(report, now=due)
    assert late is not None and late.kind == "overdue"


# --- One report --------------------------------------------------------------------------


def test_the_detail_shows_the_answers_outcome_deadlines_and_contact(desk, organisation):
    slot = make_slot(organisation)
    report = make_report(
        organisation,
        path="1.1",
        discovered_at=dt.datetime(2025, 11, 28, 13, 5, tzinfo=dt.UTC),
        name="Dr Élise Martin",
        practice="Cabinet des Tilleuls",
        phone="+33612345678",
        message="Une fenêtre s'est ouverte",
        slot=slot,
    )
    content = page(desk.get(reverse("desk:report", args=[report.pk])))

    tree = load_tree()
    first = tree.start_question
    second = tree.target(first.answers[1])
    assert html.escape(first.text.en) in content  # the questions and answers, in English
    assert html.escape(first.answers[1].label.en) in content
    assert html.escape(second.text.en) in content
    assert html.escape(second.answers[1].label.en) in content
    assert html.escape(tree.outcomes["computer_compromised"].title.en) in content
    assert "Monday 1 December 2025" in content  # 72 h after Friday 28 November, 14:05
    assert "Dr Élise Martin" in content
    assert "Cabinet des Tilleuls" in content
    assert '<a href="tel:+33612345678">06 12 34 56 78</a>' in content
    assert "Une fenêtre s&#x27;est ouverte" in content
    assert "Deadline passed" in content


def test_a_report_whose_path_no_longer_matches_says_so(desk, organisation):
    report = make_report(organisation)
    IncidentReport.objects.filter(pk=report.pk).update(path="1.1", outcome_id="gone")
    content = page(desk.get(reverse("desk:report", args=[report.pk])))
    assert "The guide changed since this report was sent" in content
    assert "This situation is no longer in the guide" in content


def test_status_changes_are_audited(desk, organisation, handler):
    report = make_report(organisation)
    target = reverse("desk:report_status", args=[report.pk])

    assert desk.post(target, {"status": "closed"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_at is not None
    entry = AuditEntry.objects.get(action="incident.status_changed")
    assert entry.actor == handler and entry.organisation == organisation
    assert entry.target_id == str(report.pk)
    assert entry.details == {"from": "new", "to": "closed"}
    assert entry.ip_address == "127.0.0.1"

    desk.post(target, {"status": "in_progress"})
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.closed_at is None
    assert AuditEntry.objects.filter(action="incident.status_changed").count() == 2

    assert desk.post(target, {"status": "bogus"}).status_code == 400
    assert AuditEntry.objects.filter(action="incident.status_changed").count() == 2
    # The history on the page lists the actions, in words.
    content = page(desk.get(reverse("desk:report", args=[report.pk])))
    assert "Status: New → Closed" in content
    assert "Status: Closed → In progress" in content


def test_assigning_is_audited_and_limited_to_the_organisations_handlers(
    desk, organisation, admin, handler, analyst, other_handler
):
    report = make_report(organisation)
    target = reverse("desk:report_assign", args=[report.pk])

    form = desk.get(reverse("desk:report", args=[report.pk])).context["assign_form"]
    choices = {user.pk for user in form.fields["assignee"].queryset}
    assert choices == {admin.pk, handler.pk}

    assert desk.post(target, {"assignee": admin.pk}).status_code == 302
    report.refresh_from_db()
    assert report.assignee == admin
    entry = AuditEntry.objects.get(action="incident.assigned")
    assert entry.details == {"from": None, "to": admin.email}
    assert entry.actor == handler

    for outsider in (analyst, other_handler):
        assert desk.post(target, {"assignee": outsider.pk}).status_code == 400
    report.refresh_from_db()
    assert report.assignee == admin

    desk.post(target, {"assignee": ""})
    report.refresh_from_db()
    assert report.assignee is None
    assert AuditEntry.objects.filter(action="incident.assigned").count() == 2


def test_internal_notes_are_audited_without_their_text(desk, organisation, handler):
    report = make_report(organisation)
    target = reverse("desk:report_note", args=[report.pk])

    assert desk.post(target, {"text": "  Rappelée, sauvegardes OK.  "}).status_code == 302
    note = ReportNote.objects.get()
    assert note.text == "Rappelée, sauvegardes OK." and note.author == handler
    entry = AuditEntry.objects.get(action="incident.note_added")
    assert entry.details == {"note": note.pk}
    assert "Rappelée" not in str(entry.details)
    assert "Rappelée, sauvegardes OK." in page(desk.get(reverse("desk:report", args=[report.pk])))

    assert desk.post(target, {"text": "   "}).status_code == 400
    assert ReportNote.objects.count() == 1


# --- Callback slots ----------------------------------------------------------------------


def test_slots_are_added_listed_with_bookings_and_deleted_when_unbooked(
    desk, organisation, handler
):
    start = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.UTC)
    paris_start = timezone.localtime(start).replace(minute=0, second=0, microsecond=0)
    data = {
        "starts_at": paris_start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (paris_start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "2",
    }
    assert desk.post(reverse("desk:slots"), data).status_code == 302
    slot = CallbackSlot.objects.get()
    assert slot.organisation == organisation and slot.capacity == 2
    assert slot.created_by == handler
    assert AuditEntry.objects.filter(action="incident.slot_created", actor=handler).exists()

    booked = make_report(organisation, slot=slot, phone="+33612345678")
    content = page(desk.get(reverse("desk:slots")))
    assert "1 of 2" in content
    assert booked.reference in content
    # A booked slot cannot be deleted: somebody expects a call.
    desk.post(reverse("desk:slot_delete", args=[slot.pk]))
    assert CallbackSlot.objects.filter(pk=slot.pk).exists()
    assert not AuditEntry.objects.filter(action="incident.slot_deleted").exists()

    free = make_slot(organisation, hours_from_now=100)
    assert desk.post(reverse("desk:slot_delete", args=[free.pk])).status_code == 302
    assert not CallbackSlot.objects.filter(pk=free.pk).exists()
    assert AuditEntry.objects.filter(action="incident.slot_deleted").count() == 1


@pytest.mark.parametrize(
    ("starts_in", "length", "capacity"),
    [(-2, 1, 1), (24, 0, 1), (24, -1, 1), (24, 9, 1), (24, 1, 0)],
)
def test_bad_slots_are_refused(desk, starts_in, length, capacity):
    start = timezone.localtime(timezone.now() + dt.timedelta(hours=starts_in))
    data = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=length)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": str(capacity),
    }
    assert desk.post(reverse("desk:slots"), data).status_code == 400
    assert not CallbackSlot.objects.exists()


def test_past_slots_are_not_listed(desk, organisation):
    make_slot(organisation, hours_from_now=-3)
    assert "No upcoming slot" in page(desk.get(reverse("desk:slots")))


# --- Statistics --------------------------------------------------------------------------


def test_suppression_hides_small_cells_and_what_would_reveal_them():
    table = cells([("a", 9), ("b", 6), ("c", 2)], threshold=5)
    assert [c.state for c in table] == ["shown", "withheld", "below"]
    assert [c.label for c in table] == ["a", "b", "c"]
    # Two hidden cells adding up to k already protect each other.
    table = cells([("a", 9), ("b", 3), ("c", 2)], threshold=5)
    assert [c.state for c in table] == ["shown", "below", "below"]
    # Zero is no one: shown.
    table = cells([("a", 9), ("b", 0)], threshold=5)
    assert [c.state for c in table] == ["shown", "shown"]
    assert cells([], 5) == []
    assert Cell("x", 5, "shown").shown


def test_statistics_suppress_small_cells(desk, organisation):
    organisation.anonymity_threshold = 3
    organisation.save()
    for _ in range(4):
        make_report(organisation)  # ransomware: 4
    for _ in range(2):
        make_report(organisation, path=PHISHING_NO_DATA)  # 2, under k

    stats = selectors.statistics(organisation)
    by_outcome = {cell.label: cell for cell in stats.by_outcome}
    assert stats.total.count == 6 and stats.total.shown
    assert [cell.state for cell in stats.by_outcome] == ["withheld", "below"]
    assert len(stats.by_month) == 12
    assert stats.by_month[-1].count == 6 and stats.by_month[-1].shown
    assert all(cell.count == 0 and cell.shown for cell in stats.by_month[:-1])  # no one: 0
    assert len(by_outcome) == 2

    content = page(desk.get(reverse("desk:statistics")))
    assert "&lt; 3" in content
    assert ">6<" in content
    assert ">2<" not in content and ">4<" not in content
    assert '<span class="desk-suppressed">—</span>' in content  # the withheld 4


def test_statistics_by_departement_suppress_small_cells(desk, organisation):
    organisation.anonymity_threshold = 3
    organisation.save()
    for departement, count in (("33", 4), ("64", 3), ("2A", 1), ("", 3)):
        for _ in range(count):
            make_report(organisation, departement=departement)

    cells = {cell.label: cell for cell in selectors.statistics(organisation).by_departement}

    assert list(cells) == ["33", "64", "2A", "Not given"]
    assert (cells["33"].count, cells["33"].state) == (4, "shown")
    assert cells["2A"].state == "below"
    # One hidden cell: the smallest shown one is withheld too, or 11 - 4 - 3 - 3 = 1.
    assert [cells[label].state for label in ("64", "Not given")].count("withheld") == 1
    content = page(desk.get(reverse("desk:statistics")))
    assert "By département" in content


def test_statistics_show_figures_at_the_threshold(organisation):
    organisation.anonymity_threshold = 2
    organisation.save()
    for _ in range(2):
        make_report(organisation)
        make_report(organisation, path=PHISHING_NO_DATA)
    stats = selectors.statistics(organisation)
    assert [(cell.count, cell.state) for cell in stats.by_outcome] == [(2, "shown"), (2, "shown")]


def test_statistics_count_the_last_twelve_paris_months_only(organisation):
    old = make_report(organisation)
    IncidentReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    stats = selectors.statistics(organisation)
    assert stats.total.count == 0
    assert stats.by_outcome == []


def test_statistics_of_another_organisation_are_not_mixed(organisation, other_organisation):
    make_report(other_organisation)
    assert selectors.statistics(organisation).total.count == 0


def test_desk_pages_have_no_inline_script_or_style(desk, organisation):
    report = make_report(organisation, slot=make_slot(organisation), phone="+33612345678")
    for target in (
        reverse("desk:queue"),
        reverse("desk:report", args=[report.pk]),
        reverse("desk:slots"),
        reverse("desk:statistics"),
    ):
        content = page(desk.get(target))
        assert "<script" not in content
        assert " style=" not in content


def test_the_desk_lists_the_outcomes_due_for_review(desk, monkeypatch):
    tree = load_tree()
    stale = next(iter(tree.outcomes.values()))
    monkeypatch.setattr(selectors, "REVIEW_AFTER", dt.timedelta(days=0))  # everything is due

    reviews = selectors.content_reviews()

    assert {review.outcome.id for review in reviews} == set(tree.outcomes)
    assert all(review.overdue for review in reviews)
    content = page(desk.get(reverse("desk:content")))
    assert "Due for review" in content
    assert html.escape(str(stale.title)) in content
    # Every link opens the outcome in the public guide.
    for review in reviews:
        assert f'href="/aide/r/{review.path}/"' in content


def test_recently_reviewed_outcomes_are_not_flagged(desk):
    reviews = selectors.content_reviews()
    fresh = [
        r for r in reviews if r.outcome.last_reviewed > timezone.localdate() - dt.timedelta(300)
    ]
    assert fresh and not any(review.overdue for review in fresh)
