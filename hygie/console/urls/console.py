from django.urls import path

from hygie.console.views import console as views

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("no-organisation/", views.no_organisation, name="no_organisation"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("settings/", views.organisation_settings, name="settings"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("operations/", views.operations, name="operations"),
    path("security/", views.account_security, name="security"),
    path("library/", views.library, name="library"),
    path("library/capsules/<int:capsule_id>/", views.capsule_preview, name="capsule_preview"),
    path("library/capsules/new/", views.capsule_new, name="capsule_new"),
    path("library/capsules/<int:capsule_id>/edit/", views.capsule_edit, name="capsule_edit"),
    path("library/capsules/live-preview/", views.capsule_live_preview, name="capsule_live_preview"),
]
