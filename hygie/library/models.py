"""Awareness capsules: one row per (slug, language, version); a new version never
changes what an earlier campaign sent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation


class Capsule(models.Model):
    # Empty for the shipped library; set for a capsule an organisation wrote itself.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="capsules"
    )
    slug = models.SlugField(max_length=100)
    language = models.CharField(max_length=2, default="fr")
    version = models.PositiveIntegerField(default=1)
    theme = models.CharField(_("theme"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    promise = models.CharField(_("promise"), max_length=200)
    reading_minutes = models.PositiveSmallIntegerField(default=3)
    audience = models.JSONField(default=list)
    audience_notes = models.TextField(blank=True)
    reflexes = models.JSONField(default=list)
    # [{"question": str, "choices": [{"text": str, "correct": bool, "explanation": str}]}]
    quiz = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    body_markdown = models.TextField()
    body_html = models.TextField()
    last_reviewed = models.DateField()
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("theme", "slug", "language", "-version")
        constraints = [
            models.UniqueConstraint(
                "slug",
                "language",
                "version",
                condition=models.Q(organisation=None),
                name="capsule_shipped_unique",
            ),
            models.UniqueConstraint(
                "organisation", "slug", "language", "version", name="capsule_org_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.language})"
