"""What an API token may do. Each scope is granted explicitly when the token is created."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ_PEOPLE = "people:read", _("Read people and segments")
    WRITE_PEOPLE = "people:write", _("Create, update and erase people")
    READ_RESULTS = "results:read", _("Read campaigns and their aggregate results")
    MANAGE_CAMPAIGNS = "campaigns:manage", _("Launch campaigns")
    READ_REPORTS = "reports:read", _("Read reported messages and incidents")
