"""The people an organisation reaches, their practices, segments, imports and suppressions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.accounts.models import Organisation


def new_pseudonym() -> str:
    # 96 random bits, readable enough for support, meaningless to anyone else.
    return "p_" + secrets.token_hex(12)


class Civility(models.TextChoices):
    NONE = "", _("—")
    DR = "dr", _("Dr")
    PR = "pr", _("Pr")
    MR = "m", _("Mr")
    MRS = "mme", _("Mrs")


class Profession(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    SECRETARY = "secretary", _("Medical secretary")
    ASSISTANT = "assistant", _("Medical assistant")
    NURSE = "nurse", _("Nurse")
    OTHER = "other", _("Other")


class PracticeRole(models.TextChoices):
    """A person's place in the practice: capsules can speak to each one differently."""

    NONE = "", _("Not given")
    HOLDER = "holder", _("Practice-holder doctor")
    ASSOCIATE = "associate", _("Associate doctor (collaborateur)")
    LOCUM = "locum", _("Locum doctor")
    SECRETARY = "secretary", _("Secretary or assistant")
    OTHER_HEALTH = "other_health", _("Other health profession")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")
    ERASED = "erased", _("Erased")


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Practice(models.Model):
    """A practice (cabinet) where one or more people work."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="practices"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), "commune", name="practice_unique_name_commune"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})" if self.commune else self.name


class Tag(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ("name",)
        constraints = [models.UniqueConstraint("organisation", "name", name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A practitioner or a member of practice staff whom the organisation reaches."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    pseudonym = models.CharField(max_length=32, unique=True, default=new_pseudonym, editable=False)
    civility = models.CharField(
        _("civility"), max_length=4, choices=Civility.choices, blank=True, default=""
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # Stored lower-cased and trimmed. NULL (not "") once erased, so that the
    # unique index stays a plain one that lookups by address can use.
    email = models.EmailField(_("email"), max_length=254, null=True, blank=True)  # noqa: DJ001
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # NULL when unknown, for the same reason as `email`.
    rpps = models.CharField(_("RPPS number"), max_length=11, null=True, blank=True)  # noqa: DJ001
    profession = models.CharField(
        _("profession"), max_length=16, choices=Profession.choices, default=Profession.DOCTOR
    )
    specialty = models.CharField(_("specialty"), max_length=120, blank=True, db_index=True)
    practice_role = models.CharField(
        _("role in the practice"), max_length=16, choices=PracticeRole.choices, blank=True
    )
    departement = models.CharField(_("département"), max_length=3, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    practice = models.ForeignKey(
        Practice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("practice"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="people", verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("last_name", "first_name", "id")
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint("organisation", "email", name="person_unique_email"),
            models.UniqueConstraint("organisation", "rpps", name="person_unique_rpps"),
        ]
        indexes = [
            models.Index(fields=("organisation", "last_name", "first_name"), name="person_by_name"),
            models.Index(fields=("organisation", "departement"), name="person_by_departement"),
            models.Index(fields=("organisation", "status"), name="person_by_status"),
            models.Index(fields=("organisation", "created_at"), name="person_by_created"),
        ]

    def __str__(self) -> str:
        if self.status == PersonStatus.ERASED:
            return str(_("Erased person %(id)s") % {"id": self.pseudonym})
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email or self.pseudonym

    @property
    def can_receive_awareness(self) -> bool:
        return self.status == PersonStatus.ACTIVE and bool(self.email)


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Hard bounce")
    ERASED = "erased", _("Erased on request")
    COMPLAINT = "complaint", _("Spam complaint")


class Suppression(models.Model):
    """An address that must never be written to again, kept only as a keyed hash."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="suppressions"
    )
    address_hash = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organisation", "address_hash", name="suppression_unique_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.address_hash[:12]}…"


class Segment(models.Model):
    """A saved, named filter over people, evaluated live."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="segments"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # See audience.segments.SegmentFilters for the accepted keys.
    filters = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint("organisation", Lower("name"), name="segment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Columns to confirm")
    ANALYSING = "analysing", _("Analysing the file")
    PREVIEWED = "previewed", _("Ready to confirm")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportJob(models.Model):
    """One uploaded file, its preview, and (once confirmed) its application."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    file_size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=4)  # csv or xlsx
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # Column index (as text) → person field name, or "" to ignore, "tag" to keep as a tag.
    mapping = models.JSONField(default=dict, blank=True)
    keep_extra_as_tags = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default="pending")
    progress_rows = models.PositiveIntegerField(default=0)
    estimated_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Everyone the applied file listed (new, updated or unchanged): "the people of
    # this import" for segments.
    people = models.ManyToManyField(Person, blank=True, related_name="imports")

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.ANALYSING, ImportStatus.APPLYING}

    @property
    def progress_percent(self) -> int:
        if not self.estimated_rows:
            return 0
        return min(99, int(100 * self.progress_rows / self.estimated_rows))


class ImportRejection(models.Model):
    """A row the import refused, or a value of a row it left out (`is_warning`: the
    member was imported without it), with its line number and reason (no other row
    data kept)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    is_warning = models.BooleanField(default=False)

    class Meta:
        ordering = ("line", "id")

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
