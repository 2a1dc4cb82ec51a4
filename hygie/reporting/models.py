"""The report mailbox: where practitioners forward suspicious messages, and what came in.

A `Mailbox` is polled by the workers; each message becomes one `Report`, unique per
(mailbox, UIDVALIDITY, UID) so that two workers or a restarted one never process a
message twice. The raw message is kept (size-limited) so that a report can be
re-read, but it is untrusted: it is parsed, never executed or fetched from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Person
from hygie.delivery.models import Delivery


class Security(models.TextChoices):
    SSL = "ssl", _("TLS from the start (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (local test servers only)")


class Mailbox(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="report_mailbox"
    )
    address = models.EmailField(
        _("reporting address"),
        blank=True,
        help_text=_("The address practitioners forward suspicious messages to."),
    )
    host = models.CharField(_("IMAP server"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=254)
    # Fernet token of the password (hygie.reporting.crypto); never shown back.
    password_encrypted = models.TextField(blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("move processed messages to"),
        max_length=200,
        blank=True,
        help_text=_("Empty: processed messages stay in the folder, marked as read."),
    )
    poll_minutes = models.PositiveSmallIntegerField(_("check every (minutes)"), default=5)
    enabled = models.BooleanField(_("enabled"), default=False)
    answers_reports = models.BooleanField(
        _("reports are triaged"),
        default=True,
        help_text=_("The automatic answer promises that someone will say what the message was."),
    )
    # When the next poll is due; a worker claims a poll by moving it forward.
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=("enabled", "next_poll_at"), name="mailbox_due")]

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class Processing(models.TextChoices):
    DONE = "done", _("Processed")
    FAILED = "failed", _("Could not be read")


class Kind(models.TextChoices):
    SIMULATION = "simulation", _("Simulation")
    SUSPICIOUS = "suspicious", _("Suspicious message")


class Classification(models.TextChoices):
    NEW = "new", _("To triage")
    PHISHING = "phishing", _("Phishing")
    SPAM = "spam", _("Spam")
    LEGITIMATE = "legitimate", _("Legitimate")
    SIMULATION = "simulation", _("Simulation")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class ReplyStatus(models.TextChoices):
    NONE = "", _("Not answered")
    SENT = "sent", _("Answered automatically")
    SKIPPED = "skipped", _("No automatic answer")


# Why a reporter got no automatic answer: `Report.reply_note` keeps the code (written by
# hygie.reporting.parsing and hygie.reporting.replies), the console shows the label.
RELAY_REFUSED = "mail server unavailable"
NO_REPLY_REASONS = {
    "no sender address": _("the message has no sender address"),
    "our own address": _("the message came from the report mailbox itself"),
    "reply limit reached": _("this address already had its automatic answers for the day"),
    "auto-submitted": _("the message was sent automatically"),
    "null return path": _("the message has no return address"),
    "robot sender": _("the sender is a robot address"),
    "bulk precedence": _("the message is a bulk or list mailing"),
    "automatic or list message": _("the message is an automatic answer or a list mailing"),
    "delivery report": _("the message is a delivery report"),
    RELAY_REFUSED: _("the mail server did not accept the answer"),
}


class GroupStatus(models.TextChoices):
    OPEN = "open", _("To review")
    PHISHING = "phishing", _("Confirmed fraud")
    LEGITIMATE = "legitimate", _("Legitimate message")


class LureGroup(models.Model):
    """Reports of one lure in circulation: the same sender, links, attachment or text.

    Reports join a group as they arrive (hygie.reporting.grouping); staff name,
    merge, split and classify groups. The counts are kept here so that the
    "in circulation" page ranks groups without counting reports each time.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    first_reported_at = models.DateTimeField(default=timezone.now)
    last_reported_at = models.DateTimeField(default=timezone.now)
    reports_count = models.PositiveIntegerField(default=0)
    reporters_count = models.PositiveIntegerField(default=0)
    # Staff shaped this group (named, merged, split or classified it): regrouping
    # leaves its membership as it is; new reports may still join it.
    pinned = models.BooleanField(default=False)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The warning sent to members about this lure, by email and by SMS.
    alert_email = models.ForeignKey(
        "delivery.Mailing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alert_sms = models.ForeignKey(
        "delivery.Mailing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The draft exercise (simulation scenario) drawn from this lure, once made.
    exercise = models.ForeignKey(
        "phishing.Scenario", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=("organisation", "last_reported_at"), name="lure_group_recent"),
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Report(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # Email reports come from the mailbox; SMS reports from the public form (no mailbox).
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    received_at = models.DateTimeField(default=timezone.now)
    raw = models.BinaryField(blank=True)
    size = models.PositiveIntegerField(default=0)
    truncated = models.BooleanField(default=False)
    processing = models.CharField(max_length=8, choices=Processing.choices, default=Processing.DONE)
    error = models.CharField(max_length=500, blank=True)
    reporter_email = models.CharField(max_length=254, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SUSPICIOUS)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the parser found in the reported (original) message.
    subject = models.CharField(max_length=300, blank=True)
    original_from = models.CharField(max_length=254, blank=True)
    original_domain = models.CharField(max_length=253, blank=True, db_index=True)
    forward_form = models.CharField(max_length=20, blank=True)
    # When the reported message reached the member, as its forward says (its Date
    # header, or the date the forwarding client printed): the start of "time to report".
    original_sent_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict)
    domains = models.JSONField(default=list)
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.NEW
    )
    group = models.ForeignKey(
        LureGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    # The MinHash signature of subject and body (hygie.reporting.fingerprint).
    signature = models.JSONField(default=list, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    reply_status = models.CharField(
        max_length=8, choices=ReplyStatus.choices, default=ReplyStatus.NONE, blank=True
    )
    reply_note = models.CharField(max_length=200, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    # When the reporter was told what the message turned out to be (once per reporter
    # and group: their other reports of the group are marked at the same time).
    verdict_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = [
            # The exactly-once guarantee: a message of the mailbox is one report.
            models.UniqueConstraint("mailbox", "uidvalidity", "uid", name="report_unique_message")
        ]
        indexes = [
            models.Index(fields=("organisation", "kind", "classification"), name="report_queue"),
            models.Index(fields=("reporter_email", "replied_at"), name="report_by_reporter"),
            models.Index(fields=("organisation", "received_at"), name="report_by_date"),
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    @property
    def reply_reason(self) -> str:
        """Why the reporter got no automatic answer, in the reader's language ("" when
        the note is not a known reason)."""
        return str(NO_REPLY_REASONS.get(self.reply_note, ""))


class LureKey(models.Model):
    """One piece of evidence of a report (a sending domain, link host or path,
    attachment hash, or text band), indexed so that a new report finds its
    siblings without reading the others."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=8)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=("organisation", "value"), name="lure_key_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
