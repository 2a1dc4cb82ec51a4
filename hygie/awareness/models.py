"""Awareness campaigns (a capsule sent to a segment) and what readers did with them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # Opens counted without knowing who opened, when per-recipient tracking is off.
    aggregate_opens = models.PositiveIntegerField(default=0)
    aggregate_automated_opens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """One reminder of a campaign, sent `after_days` after launch to those who have not read.

    `sent_at` is claimed by a conditional update before anything is created, so two
    schedulers never send the same reminder twice.
    """

    campaign = models.ForeignKey(
        AwarenessCampaign, on_delete=models.CASCADE, related_name="reminders"
    )
    number = models.PositiveSmallIntegerField()
    after_days = models.PositiveSmallIntegerField(_("days after sending"))
    sent_at = models.DateTimeField(null=True, blank=True)
    # The reminder's own mailing (kind "notice"): its links lead to the campaign's capsule.
    mailing = models.OneToOneField(
        Mailing, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder"
    )
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("campaign", "number")
        constraints = [models.UniqueConstraint("campaign", "number", name="reminder_unique_number")]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.number}"


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


class OpenEvent(models.Model):
    """An email open tied to one delivery: only recorded when the organisation allows
    per-recipient open tracking (otherwise the campaign's aggregate counter moves)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="open_events")
    at = models.DateTimeField(default=timezone.now)
    automated = models.BooleanField(default=False)
    automated_reason = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"open {self.delivery_id}"


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


class ThemeMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Chosen automatically (least recently covered first)")
    PLANNED = "planned", _("In the order I plan")


class Programme(models.Model):
    """The organisation's annual plan: one capsule every `every_weeks` weeks.

    Also holds the organisation's awareness settings (the reminder limit), so that
    the accounts app needs to know nothing about awareness.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="awareness_programme"
    )
    enabled = models.BooleanField(_("programme running"), default=False)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent to"),
    )
    start_date = models.DateField(_("first capsule on"), null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField(
        _("one capsule every (weeks)"),
        default=8,
        validators=[MinValueValidator(2), MaxValueValidator(26)],
        help_text=_("8 weeks is about every two months."),
    )
    theme_mode = models.CharField(
        _("themes"), max_length=16, choices=ThemeMode.choices, default=ThemeMode.AUTOMATIC
    )
    theme_order = models.JSONField(_("planned order of themes"), default=list, blank=True)
    lead_days = models.PositiveSmallIntegerField(
        _("prepare each capsule (days ahead)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The draft is created and managers are told this many days before."),
    )
    auto_send = models.BooleanField(
        _("send without validation"),
        default=False,
        help_text=_("Off: each capsule waits as a draft for a manager to validate it."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("For the programme's capsules; 0: no reminder."),
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("maximum reminders per capsule"),
        default=1,
        validators=[MaxValueValidator(3)],
        help_text=_("No campaign of the organisation may send more reminders than this."),
    )

    def __str__(self) -> str:
        return f"Programme of {self.organisation}"


class StepStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for validation")
    SCHEDULED = "scheduled", _("Scheduled")
    SKIPPED = "skipped", _("Skipped")


class ProgrammeStep(models.Model):
    """One planned capsule of a programme; unique per date so that planning is idempotent."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steps")
    planned_for = models.DateField()
    theme = models.CharField(max_length=40)
    campaign = models.OneToOneField(
        AwarenessCampaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_step",
    )
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.DRAFT)
    problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("planned_for",)
        constraints = [
            models.UniqueConstraint("programme", "planned_for", name="programme_step_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.planned_for}"
