"""Sign-in links to the practitioner's personal space.

A link is emailed on request and opens a short session for one person. Only a
SHA-256 hash of its token is stored: a copy of the database does not give
anyone a working link.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.audience.models import Person


class AccessLink(models.Model):
    """One emailed link: valid until `expires_at`, usable once (`used_at`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_links")
    # Hex SHA-256 of the token sent by email; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"link {self.pk} for person {self.person_id}"
