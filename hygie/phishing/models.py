"""Phishing simulations: scenarios (versioned, from files), campaigns, and the
append-only timeline of what happened to each simulated message."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.delivery.models import Delivery, Mailing


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScenarioChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    QR = "qr", _("QR code")


class Technique(models.TextChoices):
    LINK = "link", _("Link to a fake site")
    CREDENTIAL_FORM = "credential_form", _("Fake login form")
    ATTACHMENT_LINK = "attachment_link", _("Link to a fake attachment")
    QR_CODE = "qr_code", _("QR code")


class FlagPlace(models.TextChoices):
    """Where a red flag of a scenario is: the part of the message a reader looks at."""

    SUBJECT = "subject", _("subject")
    SENDER = "sender", _("sender")
    BODY = "body", _("message body")
    LINK = "link", _("link")
    LANDING = "landing", _("landing page")
    SMS = "sms", _("text message")
    ATTACHMENT = "attachment", _("attachment")


class Scenario(models.Model):
    """One version of a scenario. Shipped versions (from files) have no organisation;
    a version edited in the console belongs to the organisation that wrote it.

    A draft (one drawn from a lure members reported) is never offered for a
    simulation until someone allowed to manage content reviews and publishes it."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scenarios",
    )
    slug = models.SlugField(max_length=100)
    language = models.CharField(max_length=2, default="fr")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    channel = models.CharField(max_length=8, choices=ScenarioChannel.choices)
    technique = models.CharField(max_length=20, choices=Technique.choices)
    difficulty = models.PositiveSmallIntegerField()
    theme = models.CharField(max_length=40)
    # Everything else of the file (sender, bodies, landing page, red flags).
    data = models.JSONField()
    checksum = models.CharField(max_length=64)
    last_reviewed = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("difficulty", "slug", "-version")
        constraints = [
            models.UniqueConstraint(
                "slug",
                "language",
                "version",
                condition=models.Q(organisation__isnull=True),
                name="scenario_unique",
            ),
            models.UniqueConstraint(
                "organisation",
                "slug",
                "language",
                "version",
                condition=models.Q(organisation__isnull=False),
                name="scenario_unique_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class AnnouncementChannel(models.TextChoices):
    EMAIL = "email", _("Email to every member")
    NEWSLETTER = "newsletter", _("Newsletter")
    MEETING = "meeting", _("General meeting")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class SimulationAnnouncement(models.Model):
    """The organisation told its people that simulations exist (required before any)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="simulation_announcements"
    )
    announced_on = models.DateField(_("announced on"))
    channel = models.CharField(_("channel"), max_length=16, choices=AnnouncementChannel.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organisation} {self.announced_on}"


class AfterClick(models.TextChoices):
    TEACH = "teach", _("Show the explanation at once")
    LATER = "later", _("Show a neutral page; send the explanation by email at the end")


class Assignment(models.TextChoices):
    RANDOM = "random", _("Each person gets one of the scenarios, drawn at random")
    AB_TEST = "ab_test", _("A/B test: two scenarios, half of the people each, compared")


class SimulationCampaign(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="simulations"
    )
    name = models.CharField(_("name"), max_length=200)
    segment = models.ForeignKey(Segment, on_delete=models.SET_NULL, null=True, related_name="+")
    scenarios = models.ManyToManyField(Scenario, related_name="campaigns")
    mailing = models.OneToOneField(Mailing, on_delete=models.CASCADE, related_name="simulation")
    # Path segment of the tracking links; varies per campaign so that filters
    # cannot fingerprint one fixed pattern.
    path_prefix = models.CharField(max_length=24)
    # The sender's domain (one of the organisation's simulation domains) and the host
    # of the links (delivery.hosts); empty for campaigns made before they were chosen.
    sender_domain = models.CharField(_("sender domain"), max_length=253, blank=True)
    landing_host = models.CharField(_("link host"), max_length=253, blank=True)
    assignment = models.CharField(
        _("scenarios given"), max_length=8, choices=Assignment.choices, default=Assignment.RANDOM
    )
    after_click = models.CharField(
        _("after a click"), max_length=8, choices=AfterClick.choices, default=AfterClick.TEACH
    )
    follow_up = models.BooleanField(
        _("enrol those who clicked in the related capsule"), default=False
    )
    report_link = models.BooleanField(_("add a report link to the message"), default=False)
    # Opens where the organisation does not track them per person: a bare count.
    anonymous_opens = models.PositiveIntegerField(default=0)
    explanations_sent_at = models.DateTimeField(null=True, blank=True)
    # The awareness campaigns of the follow-up, as the library's enroller described
    # them: name, people enrolled, path of their results (phishing may not import
    # awareness, so not a foreign key).
    follow_up_enrolments = models.JSONField(default=list, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class Stage(models.IntegerChoices):
    """The furthest a person went; it never moves backwards."""

    SENT = 0, _("sent")
    OPENED = 1, _("opened")
    CLICKED = 2, _("clicked")
    SUBMITTED = 3, _("submitted")


class HitKind(models.TextChoices):
    OPEN = "open", _("Opened")
    CLICK = "click", _("Click")
    SUBMIT = "submit", _("Form submitted")
    REPORT = "report", _("Reported")
    # The landing page saw a real interaction (pointer, scroll, key, touch): not a hit
    # of its own, the confirmation that a person stands behind the hits before it.
    PRESENCE = "presence", _("Presence confirmed")


class Verdict(models.TextChoices):
    HUMAN = "human", _("Person")
    AUTOMATED = "automated", _("Robot")
    UNCERTAIN = "uncertain", _("Uncertain")


class SimulationEvent(models.Model):
    """Append-only. Form values are never stored: only which kinds of field were filled."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="simulation_events"
    )
    kind = models.CharField(max_length=10, choices=HitKind.choices)
    at = models.DateTimeField(default=timezone.now)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    reasons = models.JSONField(default=list)
    field_kinds = models.JSONField(default=list)
    # A keyed hash of the client address, for bursts (one address, many recipients);
    # the address itself is never stored.
    source = models.CharField(max_length=16, blank=True)
    # A keyed hash of the address with the browser's headers (detection.visitor_of):
    # verdicts, confirmations and unmaskings apply to one visitor's hits only.
    visitor = models.CharField(max_length=16, blank=True)
    # Set when the person says "it was not me" or staff re-classify the hit.
    reviewed_verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=("delivery", "kind"), name="simulation_event_by_delivery"),
            models.Index(fields=("source", "at"), name="simulation_event_by_source"),
            models.Index(fields=("visitor", "at"), name="simulation_event_by_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.verdict}"


class SimulationResult(models.Model):
    """Per-delivery summary the results page reads (never the raw events)."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="simulation_result"
    )
    campaign = models.ForeignKey(
        SimulationCampaign, on_delete=models.CASCADE, related_name="results"
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.SENT)
    clicked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    automated_hits = models.PositiveIntegerField(default=0)
    # Hits that are neither a confirmed person nor a robot (no sign from the page).
    uncertain_hits = models.PositiveIntegerField(default=0)
    # A person was confirmed behind a click or a submission (page-side signal).
    confirmed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=("campaign", "stage"), name="simulation_result_stage")]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.get_stage_display()}"


class ScannerNetwork(models.Model):
    """An address range of a mail-security scanner: hits from it are automated.

    Kept per organisation (its mail providers and gateways differ), maintained in
    the console; the address of a hit is compared, never stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scanner_networks"
    )
    cidr = models.CharField(_("address range (CIDR)"), max_length=49)
    label = models.CharField(_("label"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("label", "cidr")
        constraints = [
            models.UniqueConstraint("organisation", "cidr", name="scanner_network_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.cidr})"


class ScannerKind(models.TextChoices):
    GATEWAY = "gateway", _("Mail-security gateway")
    PREVIEWER = "previewer", _("Link previewer")
    # A mail provider's proxy fetching images for the person who opens (Gmail).
    IMAGE_PROXY = "image_proxy", _("Mail image proxy")
    # Images fetched by a machine on delivery whether anyone opens or not (Apple MPP).
    MACHINE_OPEN = "machine_open", _("Machine open")


class ScannerMatch(models.TextChoices):
    NETWORK = "network", _("Address range")
    AGENT = "agent", _("User agent contains")
    AGENT_EXACT = "agent_exact", _("User agent is exactly")


class KnownScanner(models.Model):
    """One signature of the shipped scanner knowledge (content/scanners/*.yaml), for
    every organisation. Replaced as a whole by each load; an organisation's own
    ranges are ScannerNetwork rows, which a load never touches."""

    family = models.SlugField(max_length=60)
    # The family's name and what it does, in French and in English (a name that is the
    # same in both languages is written once in the file, and kept in both columns).
    label = models.CharField(max_length=120)
    label_en = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    note = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=ScannerKind.choices)
    match = models.CharField(max_length=12, choices=ScannerMatch.choices)
    value = models.CharField(max_length=200)
    sources = models.JSONField(default=list)
    reviewed = models.DateField()
    file = models.CharField(max_length=100)

    class Meta:
        ordering = ("family", "match", "value")
        constraints = [
            models.UniqueConstraint("family", "match", "value", name="known_scanner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class ClueMoment(models.TextChoices):
    # "What should have alerted you?" on the explanation after a click.
    CLICKED = "clicked", _("After a click")
    # "What tipped you off?" on the thanks after a report.
    REPORTED = "reported", _("After a report")


UNKNOWN_CLUE = "unknown"  # "je ne sais pas"


class ClueAnswer(models.Model):
    """The clues a person picked, by their number in the scenario's red flags (or
    UNKNOWN_CLUE): nothing typed, no free text. One answer per moment; the first stands."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clue_answers")
    moment = models.CharField(max_length=10, choices=ClueMoment.choices)
    clues = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("delivery", "moment", name="clue_answer_once_per_moment")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.moment}: {self.clues}"
