"""Tenants (organisations), staff users, memberships, invitations and the audit log."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hygie.accounts.roles import Permission, Role, role_has
from hygie.lib.french import with_article


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A member of an organisation's staff. Practitioners are never users."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #1d4ed8.")
)


class NameArticle(models.TextChoices):
    NONE = "", _("none (“de Doctolib”)")
    LE = "le", _("le (“du Conseil”)")
    LA = "la", _("la (“de la Fédération”)")
    ELIDED = "l'", _("l' (“de l'URPS”, “de l'Union”)")
    LES = "les", _("les (“des Médecins…”)")


class Organisation(models.Model):
    """A tenant: the body (a union, a federation…) that runs the programme."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    sender_email = models.EmailField(_("sender address"), blank=True)
    reply_to_email = models.EmailField(_("reply-to address"), blank=True)

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )

    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("Groups with fewer people than this are never shown in results."),
    )
    track_individual_opens = models.BooleanField(
        _("per-recipient open tracking"),
        default=False,
        help_text=_("When off, email opens are only counted in aggregate."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention of individual events (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    require_two_factor = models.BooleanField(
        _("require two-factor authentication for staff"), default=True
    )

    brand_name = models.CharField(_("name shown to practitioners"), max_length=200, blank=True)
    # French puts an article before most organisation names ("de l'URPS", "du Conseil",
    # "à la Fédération", "des Médecins…"): stored, not guessed from the name.
    name_article = models.CharField(
        _("article before the name in a sentence"),
        max_length=3,
        choices=NameArticle.choices,
        blank=True,
        default="",
        help_text=_("So that French reads right: “de l'URPS”, “du Conseil”, “à la Fédération”."),
    )
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d4ed8", validators=[colour_validator]
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return self.brand_name or self.name

    @property
    def in_sentence(self) -> str:
        """The public name as it reads inside a sentence of the active language: in
        French with its article ("l'URPS Occitanie", "le Conseil…"; after "de" or "à",
        hygie.lib.french.contract() makes "du", "au"), in English as it is."""
        if not (translation.get_language() or "fr").startswith("fr"):
            return self.public_name
        return with_article(self.public_name, self.name_article)


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "user"), name="membership_one_per_organisation"
            ),
        ]
        ordering = ("organisation__name",)
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    def can(self, permission: Permission) -> bool:
        return role_has(self.role, permission)


class Invitation(models.Model):
    """A pending invitation. Only a hash of the emailed token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEntry(models.Model):
    """An append-only record of a staff action: who did what, when, on which object."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text so the entry stays readable after the user is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    # How the actor acted (accounts.actors.Channel): console, api, system or public.
    channel = models.CharField(max_length=16, blank=True)
    # The API token that made the change (an id, not a key: the API sits above accounts).
    api_token_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Its name and prefix then ("CRM (a1b2c3d4)"), readable after the token is deleted.
    api_token_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("organisation", "-at"), name="audit_org_recent")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
