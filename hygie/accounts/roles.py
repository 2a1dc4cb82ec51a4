"""Staff roles and what each may do.

Permissions are capabilities named after what the console lets people do;
views ask for a capability, never for a role, so that a new role is one line
here rather than a change in every view.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CAMPAIGN_MANAGER = "campaign_manager", _("Campaign manager")
    ANALYST = "analyst", _("Analyst")
    INCIDENT_HANDLER = "incident_handler", _("Incident handler")


class Permission(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_ORGANISATION = "manage_organisation"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_OPERATIONS = "view_operations"
    MANAGE_AUDIENCE = "manage_audience"
    MANAGE_CONTENT = "manage_content"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    VIEW_RESULTS = "view_results"
    # Seeing one named practitioner's results: a separate, audited right.
    VIEW_INDIVIDUAL_RESULTS = "view_individual_results"
    HANDLE_INCIDENTS = "handle_incidents"


_ALL_ROLES = frozenset(Role)

ROLE_PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_DASHBOARD: _ALL_ROLES,
    Permission.MANAGE_ORGANISATION: frozenset({Role.ADMIN}),
    Permission.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    Permission.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    Permission.VIEW_OPERATIONS: frozenset({Role.ADMIN}),
    Permission.MANAGE_AUDIENCE: frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER}),
    Permission.MANAGE_CONTENT: frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER}),
    Permission.MANAGE_CAMPAIGNS: frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER}),
    Permission.VIEW_RESULTS: frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST}),
    Permission.VIEW_INDIVIDUAL_RESULTS: frozenset({Role.ADMIN}),
    Permission.HANDLE_INCIDENTS: frozenset({Role.ADMIN, Role.INCIDENT_HANDLER}),
}


def role_has(role: str, permission: Permission) -> bool:
    return role in ROLE_PERMISSIONS[permission]
