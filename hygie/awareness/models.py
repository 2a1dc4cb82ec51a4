"""Awareness campaigns (a capsule sent to a segment) and what readers did with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.delivery.models import Delivery, Mailing
from hygie.library.models import Capsule


class AwarenessCampaign(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="awareness_campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    # The exact version sent: later versions of the capsule never change it.
    capsule = models.ForeignKey(Capsule, on_delete=models.PROTECT, related_name="campaigns")
    segment = models.ForeignKey(Segment, on_delete=models.SET_NULL, null=True, related_name="+")
    mailing = models.OneToOneField(
        Mailing, on_delete=models.CASCADE, related_name="awareness_campaign"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    PAGE_VIEWED = "page_viewed", _("Capsule page viewed")
    QUIZ_COMPLETED = "quiz_completed", _("Quiz completed")


class ReadingEvent(models.Model):
    """Append-only record of what happened on a capsule page."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="reading_events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    # Link scanners and previewers are recorded, flagged and left out of rates.
    automated = models.BooleanField(default=False)
    automated_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=("delivery", "kind"), name="reading_by_delivery")]

    def __str__(self) -> str:
        return f"{self.kind} {self.delivery_id}"


class QuizAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="quiz_attempts")
    capsule = models.ForeignKey(Capsule, on_delete=models.PROTECT, related_name="+")
    # Index of the chosen choice for each question, in order.
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    reading_seconds = models.PositiveIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.score}/{self.total}"
