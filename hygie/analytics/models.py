"""Roll-ups: the figures of each campaign, computed from the events and kept.

Dashboards read these rows, never the raw events: a page stays fast whatever the
size of the event log, and the figures survive the retention job, which unlinks
old events from people only after their campaign's roll-up has been frozen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation


class CampaignKind(models.TextChoices):
    AWARENESS = "awareness", _("Awareness campaign")
    SIMULATION = "simulation", _("Phishing simulation")


class CampaignRollup(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=CampaignKind.choices)
    # The campaign's id in its own app (awareness or phishing); no foreign key so that a
    # roll-up does not tie the two apps' tables together.
    campaign_id = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    theme = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    year = models.PositiveSmallIntegerField()  # of started_at, Paris time
    sent = models.PositiveIntegerField(default=0)
    # Awareness: people who opened the capsule (robots excluded), quiz takers and the
    # sum of their latest scores in percent (average = score_sum / quiz_takers).
    readers = models.PositiveIntegerField(default=0)
    quiz_takers = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    # Simulations: people (robots excluded) at each step of the funnel.
    clicked = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    automated_hits = models.PositiveIntegerField(default=0)
    report_seconds_median = models.FloatField(null=True, blank=True)
    # Reported without having clicked (the reflex that protects the others).
    reported_only = models.PositiveIntegerField(default=0)
    # The scenarios' difficulty (1 obvious … 5 very hard; the hardest when several).
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    # Simulations: people whose own open was seen (a click counts as an open); None when
    # the organisation does not track opens per person, or for roll-ups computed before.
    opened = models.PositiveIntegerField(null=True, blank=True)
    # Simulations: each report's time to report in whole minutes, sorted, no one's name:
    # the year's median is taken over the year's reports, not over campaign medians
    # (None: computed before they were kept).
    report_minutes = models.JSONField(null=True, blank=True, default=None)
    # Simulations: the counts of the clues people picked after a click or a report
    # (`phishing.selectors.clue_tallies`), kept so the year's per-clue figures stay the
    # same once the campaign is frozen by the retention job (None: computed before).
    clues = models.JSONField(null=True, blank=True, default=None)
    # Awareness: [[question, answers, wrong], …]; simulations: one entry per red flag,
    # {scenario, technique, difficulty, where, anchor, theme, received, clicked}.
    errors = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)
    # Set once the campaign's events were unlinked from people: never recomputed again.
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("started_at", "id")
        constraints = [
            models.UniqueConstraint("kind", "campaign_id", name="campaign_rollup_unique"),
        ]
        indexes = [
            models.Index(fields=("organisation", "year"), name="campaign_rollup_by_year"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Dimension(models.TextChoices):
    SEGMENT = "segment", _("Segment")
    DEPARTEMENT = "departement", _("Département")
    SPECIALTY = "specialty", _("Specialty")
    PROFESSION = "profession", _("Profession")


class BreakdownRollup(models.Model):
    """One campaign's figures for one group of recipients (a département, a segment…)."""

    rollup = models.ForeignKey(CampaignRollup, on_delete=models.CASCADE, related_name="breakdown")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=200)  # "" = not specified
    people = models.PositiveIntegerField(default=0)
    readers = models.PositiveIntegerField(default=0)
    quiz_takers = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    clicked = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("dimension", "value")
        indexes = [models.Index(fields=("rollup", "dimension"), name="breakdown_by_rollup")]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}"


class YearRollup(models.Model):
    """Figures of a year that cannot be summed from campaigns (distinct people)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    people_reached = models.PositiveIntegerField(default=0)
    # People whose every message of the year was unlinked by the retention job: no
    # longer countable from the deliveries, so kept as a number (each counted once).
    anonymised_reach = models.PositiveIntegerField(default=0)
    # Same people across simulations: {"first>latest": count} for people with >= 2.
    # People who clicked in two of the year's simulations or more (a count, kept
    # with the transitions so that it survives the retention purge).
    repeat_clickers = models.PositiveIntegerField(default=0)
    transitions = models.JSONField(default=dict)
    # Set when the retention job first unlinked one of the year's simulations.
    transitions_frozen_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("organisation", "year", name="year_rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class RetentionState(models.Model):
    """When the retention job next runs for an organisation (claimed by conditional update)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    next_run_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.next_run_at}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class AnnualReport(models.Model):
    """The board's annual report, generated in the background and kept for download."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    pdf = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at", "-id")

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} {self.status}"
