"""Incident reports sent through an organisation's assistant, and the desk's data.

The public guide itself stores nothing. A row is written only when a person sends a report,
with their explicit consent, to the organisation whose address they used (`IncidentReport`).
Staff of that organisation then handle it in the console: status, assignee, internal notes
(`ReportNote`), and callback time slots they publish (`CallbackSlot`).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

import phonenumbers
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation

# Reference numbers: no 0/O, 1/I/L, so that a person can read one out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    """A short random reference such as ``K7QM-4XPD`` (31^8, about 8.5e11 possibilities)."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CallbackSlotQuerySet(QuerySet["CallbackSlot"]):
    def with_bookings(self) -> CallbackSlotQuerySet:
        """Each slot with `booked`: how many reports chose it."""
        return self.annotate(booked=Count("bookings"))

    def upcoming(self) -> CallbackSlotQuerySet:
        return self.filter(starts_at__gt=timezone.now())

    def available(self) -> CallbackSlotQuerySet:
        """Future slots that still have room, earliest first."""
        return (
            self.upcoming()
            .with_bookings()
            .filter(Q(booked__lt=F("capacity")))
            .order_by("starts_at", "pk")
        )


class CallbackSlot(models.Model):
    """A time when the organisation's referents can call people back."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="callback_slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("calls in this slot"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[CallbackSlotQuerySet] = CallbackSlotQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("starts_at", "pk")
        indexes = [
            models.Index(fields=("organisation", "starts_at"), name="incident_slot_org_time")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="incident_slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="incident_slot_capacity"),
        ]
        verbose_name = _("callback slot")
        verbose_name_plural = _("callback slots")

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    def booking_count(self) -> int:
        """How many reports chose this slot (the annotation when there is one)."""
        booked: int | None = getattr(self, "booked", None)
        return booked if booked is not None else self.bookings.count()

    @property
    def is_full(self) -> bool:
        return self.booking_count() >= self.capacity


class IncidentReport(models.Model):
    """A report a person chose to send to an organisation, with their consent."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="incident_reports"
    )
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    # The consent box was ticked when the report was sent; kept as the record of consent.
    consented_at = models.DateTimeField(_("consent given"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    # What the guide knew: the answers, the outcome they led to, the discovery time.
    discovered_at = models.DateTimeField(_("discovered"))
    path = models.CharField(_("answers"), max_length=200)
    outcome_id = models.CharField(_("outcome"), max_length=100)
    # The title as shown when the report was sent: the tree may change afterwards.
    outcome_title = models.CharField(_("outcome title"), max_length=300)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)

    # Who to help, and how to reach them.
    name = models.CharField(_("name"), max_length=150)
    practice = models.CharField(_("practice"), max_length=200, blank=True)
    # Only a département code (kept after erasure: it feeds the statistics, under k).
    departement = models.CharField(_("département"), max_length=3, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    message = models.TextField(_("message"), blank=True)
    wants_callback = models.BooleanField(_("callback requested"), default=False)
    slot = models.ForeignKey(
        CallbackSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("callback slot"),
    )

    # The desk.
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when the person's details were erased (on request, or after the retention period):
    # the row stays for the statistics, without anything that identifies anyone.
    anonymised_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(
                fields=("organisation", "status", "-created_at"), name="incident_report_queue"
            ),
            models.Index(fields=("organisation", "-created_at"), name="incident_report_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(anonymised_at__isnull=False),
                name="incident_report_reachable",
            ),
        ]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != ReportStatus.CLOSED

    @property
    def phone_display(self) -> str:
        """The phone number as people write it: 06 12 34 56 78, or +32 … abroad."""
        if not self.phone:
            return ""
        try:
            number = phonenumbers.parse(self.phone, "FR")
        except phonenumbers.NumberParseException:
            return self.phone
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 33
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)


class ReportNote(models.Model):
    """An internal note of the desk on a report; never shown to the person."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("report note")
        verbose_name_plural = _("report notes")

    def __str__(self) -> str:
        return f"{self.report} · {self.created_at:%Y-%m-%d %H:%M}"


class DeadlineReminder(models.Model):
    """A reminder sent to the desk that an obligation of an open report is nearly due.

    One row per report and obligation: the unique constraint is what makes the reminder go
    out once, even with two schedulers running the same check.
    """

    report = models.ForeignKey(
        IncidentReport, on_delete=models.CASCADE, related_name="deadline_reminders"
    )
    obligation_id = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("report", "obligation_id"), name="incident_deadline_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.obligation_id}"
