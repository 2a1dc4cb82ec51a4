from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest

from hygie.accounts.access import current_membership, memberships_of
from hygie.accounts.models import User
from hygie.accounts.roles import Permission


def organisation(request: HttpRequest) -> dict[str, Any]:
    """The current organisation, the user's other organisations and what the role allows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/console/"):
        return {}
    user = cast(User, user)  # authenticated above
    membership = current_membership(request)
    if membership is None:
        return {}
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation,
        "user_memberships": memberships_of(user),
        "can": {permission.value: membership.can(permission) for permission in Permission},
        "mail_catcher_enabled": settings.MAIL_CATCHER_ENABLED,
    }
