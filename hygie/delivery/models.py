"""Mailings (one content sent to many people) and their deliveries (one row per message).

The delivery row is the source of truth for a message: it is created when the
mailing is launched, claimed by a worker under a lease, and marked sent right
after the server accepted it, so that a crash costs at most the message in flight.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Person, Segment
from hygie.delivery.headers import validate_headers
from hygie.delivery.windows import DEFAULT_DAYS, DEFAULT_END, DEFAULT_START
from hygie.lib.encrypted_field import EncryptedTextField


def new_token() -> str:
    # 160 random bits, URL-safe: unguessable and unique in practice (a unique
    # index makes sure).
    return secrets.token_urlsafe(20)


# Functions returning the window's defaults, not fixed values: a list must not be shared,
# and Django's check flags a fixed time when it runs at that very time of day
# (fields.W161), which failed a deploy check at 19:00:00.
def default_window_days() -> list[int]:
    return list(DEFAULT_DAYS)


def default_window_start() -> time:
    return DEFAULT_START


def default_window_end() -> time:
    return DEFAULT_END


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MailingKind(models.TextChoices):
    NOTICE = "notice", _("Information message")
    AWARENESS = "awareness", _("Awareness capsule")
    SIMULATION = "simulation", _("Phishing simulation")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    ALERT = 10, _("Alert")


class MailingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class SendingProfile(models.Model):
    """How an organisation's mail leaves: pace, signature and identification."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sending_profile"
    )
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"),
        default=600,
        help_text=_("Across all workers. Ask your mail provider what it accepts."),
    )
    dkim_domain = models.CharField(_("DKIM domain"), max_length=253, blank=True)
    dkim_selector = models.CharField(_("DKIM selector"), max_length=63, blank=True)
    # Stored encrypted like the report mailbox password (hygie.lib.crypto).
    dkim_private_key = EncryptedTextField(
        _("DKIM private key (PEM)"), blank=True, help_text=_("Leave empty to send unsigned.")
    )
    return_path = models.EmailField(
        _("bounce address (Return-Path)"),
        blank=True,
        help_text=_("With a “+” in it (bounces+@example.org), each message gets its own address."),
    )
    simulation_domain = models.CharField(
        _("simulation domain"),
        max_length=253,
        blank=True,
        help_text=_(
            "The look-alike domain used as sender and link host of simulations; "
            "never the organisation's own domain nor a real third party's."
        ),
    )
    # More look-alike domains a campaign may choose for its sender (and, where the
    # deployment serves them as tracking hosts, for its links).
    extra_simulation_domains = models.JSONField(
        _("other simulation domains"), default=list, blank=True
    )
    # Words the first segment of a campaign's links is made from (a word and four
    # random hex digits); empty: the built-in list.
    link_words = models.JSONField(_("words of the link paths"), default=list, blank=True)
    identification_header = models.CharField(
        _("identification header"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional “Name: value” agreed with your mail administrators, e.g. to let "
            "simulations through filters. Empty: no product fingerprint at all."
        ),
    )

    def __str__(self) -> str:
        return f"Sending profile of {self.organisation}"

    @property
    def simulation_domains(self) -> list[str]:
        """Every simulation domain, the main one first."""
        main = [self.simulation_domain] if self.simulation_domain else []
        return main + [d for d in self.extra_simulation_domains if d != self.simulation_domain]


class Mailing(models.Model):
    """One content, sent to the people of a segment within a sending window."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mailings"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(max_length=16, choices=MailingKind.choices, default=MailingKind.NOTICE)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(
        max_length=16, choices=MailingStatus.choices, default=MailingStatus.DRAFT
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("segment"),
    )
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_email = models.EmailField(_("sender address"), blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    # Where personal links lead: "{token}" is replaced by the delivery's token.
    link_template = models.CharField(max_length=500, blank=True)
    unsubscribe_link = models.BooleanField(
        default=True, help_text=_("One-click unsubscribe headers and a visible link.")
    )
    window_days = models.JSONField(default=default_window_days)
    window_start = models.TimeField(default=default_window_start)
    window_end = models.TimeField(default=default_window_end)
    send_start = models.DateTimeField(_("start sending at"), null=True, blank=True)
    send_end = models.DateTimeField(
        _("finish sending by"),
        null=True,
        blank=True,
        help_text=_("Messages are spread at random over the window until this date."),
    )
    # Sent to people chosen by what they did (those who clicked in a simulation): who
    # received it is a result, shown only to roles allowed to see named results.
    recipients_private = models.BooleanField(default=False)
    # Workers claim due messages of higher priority first: an alert about a lure in
    # circulation overtakes the bulk sends queued before it.
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Headers every message of the mailing carries, from the allow-list of
    # hygie.delivery.headers (an automatic answer's Auto-Submitted); set by code only.
    headers = models.JSONField(default=dict, blank=True, validators=[validate_headers])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """A version of a mailing's content; recipients are split between variants at random."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="variants")
    key = models.CharField(max_length=8, default="A")
    weight = models.PositiveSmallIntegerField(default=1)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text_body = models.TextField(_("text version"), blank=True)
    html_body = models.TextField(_("HTML version"), blank=True)
    sms_body = models.CharField(_("SMS text"), max_length=480, blank=True)
    # A variant may speak with its own voice (simulations: each scenario its sender).
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_email = models.EmailField(_("sender address"), blank=True)
    # An optional PDF attached to each message, rendered per recipient from this HTML
    # (placeholders, {{ qr_code }} for a QR code of the personal link): delivery.attachments.
    attachment_name = models.CharField(_("attachment file name"), max_length=100, blank=True)
    attachment_html = models.TextField(_("attachment (HTML)"), blank=True)
    # The language the content is written in, which its typography follows (a verdict
    # to a reporter who reads English); empty: the organisation's language.
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ("key",)
        constraints = [models.UniqueConstraint("mailing", "key", name="variant_unique_key")]

    def __str__(self) -> str:
        return f"{self.mailing} / {self.key}"


class DeliveryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # The address used, kept so that a message can be audited even after the
    # person changes address; blanked when the person is erased.
    recipient = models.CharField(max_length=254)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.SCHEDULED
    )
    scheduled_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    is_test = models.BooleanField(default=False)
    # This message's own headers, from the same allow-list (threading under the
    # message it answers); set by code only.
    headers = models.JSONField(default=dict, blank=True, validators=[validate_headers])

    class Meta:
        verbose_name_plural = _("deliveries")
        indexes = [
            # The claim query: due work, oldest first.
            models.Index(fields=("status", "next_attempt_at"), name="delivery_due"),
            models.Index(fields=("mailing", "status"), name="delivery_by_mailing"),
            models.Index(fields=("message_id",), name="delivery_by_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id}:{self.recipient}"


class SendQuota(models.Model):
    """Messages sent per organisation in the current minute, shared by all workers."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}@{self.minute:%H:%M}: {self.used}"
