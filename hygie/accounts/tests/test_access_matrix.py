"""Tenant isolation and the role matrix, checked on every console page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.models import Invitation, Membership
from hygie.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from hygie.accounts.tests.factories import MembershipFactory

# Every GET page of the console with the capability it requires.
CONSOLE_PAGES: list[tuple[str, tuple[str, ...], Permission]] = [
    ("console:dashboard", (), Permission.VIEW_DASHBOARD),
    ("console:security", (), Permission.VIEW_DASHBOARD),
    ("console:settings", (), Permission.MANAGE_ORGANISATION),
    ("console:members", (), Permission.MANAGE_MEMBERS),
    ("console:audit_log", (), Permission.VIEW_AUDIT_LOG),
    ("console:operations", (), Permission.VIEW_OPERATIONS),
    ("console:library", (), Permission.MANAGE_CONTENT),
    ("console:capsule_new", (), Permission.MANAGE_CONTENT),
    ("awareness:campaigns", (), Permission.MANAGE_CAMPAIGNS),
    ("awareness:campaign_new", (), Permission.MANAGE_CAMPAIGNS),
    ("awareness:programme", (), Permission.MANAGE_CAMPAIGNS),
    ("desk:queue", (), Permission.HANDLE_INCIDENTS),
    ("desk:slots", (), Permission.HANDLE_INCIDENTS),
    ("desk:statistics", (), Permission.HANDLE_INCIDENTS),
    ("desk:content", (), Permission.HANDLE_INCIDENTS),
    ("analytics:overview", (), Permission.VIEW_RESULTS),
    ("analytics:breakdown", (), Permission.VIEW_RESULTS),
    ("analytics:export", ("themes", "csv"), Permission.VIEW_RESULTS),
    ("analytics:reports", (), Permission.VIEW_RESULTS),
    ("audience:people", (), Permission.MANAGE_AUDIENCE),
    ("audience:people_export", (), Permission.MANAGE_AUDIENCE),
    ("audience:practices", (), Permission.MANAGE_AUDIENCE),
    ("audience:imports", (), Permission.MANAGE_AUDIENCE),
    ("audience:segments", (), Permission.MANAGE_AUDIENCE),
    ("audience:segment_new", (), Permission.MANAGE_AUDIENCE),
    ("delivery:mailings", (), Permission.MANAGE_CAMPAIGNS),
    ("delivery:mailing_new", (), Permission.MANAGE_CAMPAIGNS),
    ("delivery:sending", (), Permission.MANAGE_ORGANISATION),
    ("phishing:simulations", (), Permission.MANAGE_CAMPAIGNS),
    ("phishing:simulation_new", (), Permission.MANAGE_CAMPAIGNS),
    ("phishing:scenarios", (), Permission.MANAGE_CAMPAIGNS),
    ("phishing:scanners", (), Permission.MANAGE_CAMPAIGNS),
    ("reporting:queue", (), Permission.HANDLE_INCIDENTS),
    ("reporting:circulation", (), Permission.HANDLE_INCIDENTS),
    ("reporting:settings", (), Permission.MANAGE_ORGANISATION),
    ("reporting:statistics", (), Permission.VIEW_RESULTS),
    ("api:tokens", (), Permission.MANAGE_ORGANISATION),
    ("api:webhooks", (), Permission.MANAGE_ORGANISATION),
    ("api:reference", (), Permission.MANAGE_ORGANISATION),
]

# Pages about one object, checked across tenants in each app's own tests.
OBJECT_PAGES = {
    "audience:person",
    "audience:person_export",
    "audience:person_erase",
    "audience:practice",
    "audience:import_detail",
    "audience:import_confirm",
    "audience:import_cancel",
    "audience:import_rejections",
    "audience:segment_edit",
    "audience:people_in_segment",
    "audience:segment_delete",
    "delivery:mailing",
    "delivery:mailing_edit",
    "delivery:mailing_action",
    "delivery:mailing_confirm",
    "delivery:mailing_schedule",
    "console:capsule_preview",
    "console:capsule_edit",
    "awareness:results",
    "audience:person_role",
    "desk:report",
    "desk:report_status",
    "desk:report_assign",
    "desk:report_note",
    "desk:report_personal_data",
    "desk:report_erase",
    "desk:slot_delete",
    "phishing:results",
    "phishing:campaign_preview",
    "phishing:launch_confirm",
    "phishing:hits",
    "phishing:people",
    "phishing:scenario",
    "phishing:scenario_frame",
    "phishing:scenario_attachment_pdf",
    "phishing:scenario_edit",
    "phishing:scenario_publish",
    "reporting:report",
    "reporting:report_classify",
    "reporting:report_answer",
    "reporting:report_alert",
    "reporting:group",
    "reporting:group_rename",
    "reporting:group_merge",
    "reporting:group_split",
    "reporting:group_classify",
    "reporting:group_alert",
    "reporting:group_exercise",
    "reporting:group_export",
    "analytics:individual_export",
    "analytics:report_status",
    "analytics:report_download",
    "api:token_revoke",
    "api:webhook_action",
    "api:delivery_replay",
}
# Pages that answer data (JSON) rather than a page; still behind the same decorator.
DATA_PAGES = {"audience:segment_count"}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "args", "permission"), CONSOLE_PAGES)
def test_each_role_sees_only_what_it_may(console, staff_of, role, name, args, permission):
    client = console(staff_of(role))
    response = client.get(reverse(name, args=args))
    expected = 200 if role in ROLE_PERMISSIONS[permission] else 403
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "args", "permission"), CONSOLE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name, args, permission):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_console_url_is_covered_by_the_matrix():
    from hygie.analytics.urls import console as analytics_urls
    from hygie.api.urls import console as api_urls
    from hygie.audience.urls import console as audience_urls
    from hygie.awareness.urls import console as awareness_console
    from hygie.awareness.urls import public as awareness_public
    from hygie.console.urls import console as urls
    from hygie.delivery.urls import console as delivery_urls
    from hygie.incidents.urls import console as desk_urls
    from hygie.phishing.urls import console as phishing_urls
    from hygie.reporting.urls import console as reporting_urls

    tested = {name for name, _, _ in CONSOLE_PAGES}
    post_only = {
        "console:switch_organisation",
        "console:member_role",
        "console:member_remove",
        "console:invitation_revoke",
        "console:capsule_live_preview",
        "awareness:programme_step",
        "analytics:report_request",
    }
    # The capsule page and its pixels are reached by practitioners through their token.
    public = {
        "console:no_organisation",
        "awareness:capsule",
        "awareness:capsule_fiche",
        "awareness:open_pixel",
        "awareness:aggregate_open",
    }
    names = {f"console:{p.name}" for p in urls.urlpatterns}
    names |= {f"audience:{p.name}" for p in audience_urls.urlpatterns}
    names |= {f"delivery:{p.name}" for p in delivery_urls.urlpatterns}
    names |= {f"desk:{p.name}" for p in desk_urls.urlpatterns}
    names |= {f"analytics:{p.name}" for p in analytics_urls.urlpatterns}
    names |= {
        f"awareness:{p.name}"
        for p in [*awareness_console.urlpatterns, *awareness_public.urlpatterns]
    }
    names |= {f"phishing:{p.name}" for p in phishing_urls.urlpatterns}
    names |= {f"reporting:{p.name}" for p in reporting_urls.urlpatterns}
    names |= {f"api:{p.name}" for p in api_urls.urlpatterns}
    assert names == tested | post_only | public | OBJECT_PAGES | DATA_PAGES


@pytest.mark.parametrize(
    "name", ["console:member_role", "console:member_remove", "console:invitation_revoke"]
)
def test_objects_of_another_organisation_are_not_found(
    console, admin, outsider, other_organisation, name
):
    foreign_membership = Membership.objects.get(user=outsider)
    foreign_invitation = Invitation.objects.create(
        organisation=other_organisation,
        email="someone@example.org",
        role=Role.ANALYST,
        token_hash="x" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    target = foreign_invitation.pk if "invitation" in name else foreign_membership.pk
    response = console(admin).post(reverse(name, args=[target]), {"role": Role.ANALYST})
    assert response.status_code == 404
    foreign_membership.refresh_from_db()
    foreign_invitation.refresh_from_db()
    assert foreign_membership.role == Role.ADMIN
    assert foreign_invitation.revoked_at is None


def test_post_actions_need_the_members_right(console, staff_of, admin):
    analyst = staff_of(Role.ANALYST)
    target = Membership.objects.get(user=admin)
    response = console(analyst).post(
        reverse("console:member_role", args=[target.pk]), {"role": Role.ANALYST}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.ADMIN


def test_switching_to_a_foreign_organisation_is_refused(console, admin, other_organisation):
    client = console(admin)
    response = client.post(
        reverse("console:switch_organisation"), {"organisation": other_organisation.pk}
    )
    assert response.status_code == 404
    assert client.session.get("organisation_id") != other_organisation.pk


def test_a_user_of_two_organisations_switches_between_them(console, admin, other_organisation):
    MembershipFactory(organisation=other_organisation, user=admin, role=Role.ANALYST)
    client = console(admin)
    client.post(reverse("console:switch_organisation"), {"organisation": other_organisation.pk})
    page = client.get(reverse("console:dashboard"))
    assert page.context["current_organisation"] == other_organisation
    # As an analyst there, the team page is out of reach.
    assert client.get(reverse("console:members")).status_code == 403


def test_staff_without_organisation_is_told_so(console, db):
    from hygie.accounts.tests.factories import UserFactory

    response = console(UserFactory()).get(reverse("console:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("console:no_organisation")
