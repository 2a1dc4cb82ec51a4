"""What an API token may do. Each scope is granted explicitly when the token is created."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ_PEOPLE = "people:read", _("Read people and segments")
    WRITE_PEOPLE = "people:write", _("Create, update and erase people")
    READ_RESULTS = "results:read", _("Read campaigns and their aggregate results")
    # Who clicked, submitted or reported: granted only by someone allowed to see names, and
    # every call is audited (see `api.services.api_token_create`).
    READ_NAMED_RESULTS = "results:named", _("Read named results of simulations (audited)")
    MANAGE_CAMPAIGNS = "campaigns:manage", _("Launch campaigns")
    READ_REPORTS = "reports:read", _("Read reported messages and incidents")
    WRITE_INCIDENTS = "incidents:write", _("Change the status of incident reports")


# Scopes that give names: only a staff member with the right to see named results may grant
# them, and a token keeps them only while that person still has the right.
NAMED_SCOPES = frozenset({Scope.READ_NAMED_RESULTS.value})


def needs(scope: Scope) -> dict[str, object]:
    """An operation's `openapi_extra`: the scope it needs, in the schema (`x-scope`) for the
    reference page and for code generators. The operation still checks it itself."""
    return {"x-scope": scope.value}
