"""Team management and the audit log of staff actions."""

from __future__ import annotations

from django.urls import reverse

from hygie.accounts.models import AuditEntry, Membership
from hygie.accounts.roles import Role


def test_role_change_is_audited_and_visible_to_admins(console, admin, member, organisation):
    client = console(admin)
    target = Membership.objects.get(user=member)
    client.post(reverse("console:member_role", args=[target.pk]), {"role": Role.ANALYST})
    target.refresh_from_db()
    assert target.role == Role.ANALYST

    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.actor == admin
    assert entry.organisation == organisation
    assert entry.target_id == str(target.pk)
    assert entry.ip_address == "127.0.0.1"

    page = client.get(reverse("console:audit_log"))
    html = page.content.decode()
    assert "<code>membership.role_changed</code>" in html
    assert admin.email in html


def test_the_last_administrator_cannot_be_removed_or_demoted(console, admin):
    client = console(admin)
    own = Membership.objects.get(user=admin)
    client.post(reverse("console:member_role", args=[own.pk]), {"role": Role.ANALYST})
    client.post(reverse("console:member_remove", args=[own.pk]))
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_removing_a_member_ends_their_access(console, admin, member, client):
    target = Membership.objects.get(user=member)
    console(admin).post(reverse("console:member_remove", args=[target.pk]))
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert AuditEntry.objects.filter(action="membership.removed").exists()
    response = console(member).get(reverse("console:dashboard"))
    assert response["Location"] == reverse("console:no_organisation")


def test_audit_log_never_shows_another_organisation(console, admin, outsider, other_organisation):
    AuditEntry.objects.create(
        organisation=other_organisation, actor=outsider, action="secret.foreign_action"
    )
    page = console(admin).get(reverse("console:audit_log"))
    assert "secret.foreign_action" not in page.content.decode()


def test_settings_update_validates_and_audits(console, admin, organisation):
    client = console(admin)
    page = client.get(reverse("console:settings"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update({"anonymity_threshold": "1", "time_zone": "Mars/Olympus"})
    bad = client.post(reverse("console:settings"), data)
    assert bad.status_code == 200
    assert bad.context["form"].errors
    organisation.refresh_from_db()
    assert organisation.time_zone == "Europe/Paris"
