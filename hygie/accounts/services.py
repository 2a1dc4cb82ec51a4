"""Writes on organisations, staff and invitations. Each call is one transaction and audited."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Invitation, Membership, Organisation, User
from hygie.accounts.roles import Role
from hygie.accounts.selectors import token_digest
from hygie.lib.emails import absolute_url, send_email_on_commit

ORGANISATION_SETTING_FIELDS = (
    "name",
    "sender_name",
    "sender_email",
    "reply_to_email",
    "time_zone",
    "language",
    "anonymity_threshold",
    "track_individual_opens",
    "retention_months",
    "require_two_factor",
    "brand_name",
    "name_article",
    "brand_colour",
)


@transaction.atomic
def organisation_create(*, name: str, slug: str, actor: Actor, **fields: Any) -> Organisation:
    organisation = Organisation(name=name, slug=slug, **fields)
    organisation.full_clean()
    organisation.save()
    audit_record(
        action="organisation.created", actor=actor, organisation=organisation, target=organisation
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    actor: Actor,
    changes: dict[str, Any],
) -> Organisation:
    unknown = set(changes) - set(ORGANISATION_SETTING_FIELDS)
    if unknown:
        raise ValueError(f"Not an organisation setting: {', '.join(sorted(unknown))}")
    before = {field: getattr(organisation, field) for field in changes}
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save(update_fields=list(changes))
    changed = {
        field: {"from": before[field], "to": value}
        for field, value in changes.items()
        if before[field] != value
    }
    if changed:
        audit_record(
            action="organisation.settings_changed",
            actor=actor,
            organisation=organisation,
            target=organisation,
            details={"changed": changed},
        )
    return organisation


@transaction.atomic
def membership_add(
    *, organisation: Organisation, user: User, role: Role | str, actor: Actor
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    audit_record(
        action="membership.added",
        actor=actor,
        organisation=organisation,
        target=membership,
        details={"user": user.email, "role": str(role)},
    )
    return membership


def _ensure_an_admin_remains(membership: Membership) -> None:
    others = (
        Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ValidationError(_("An organisation must keep at least one administrator."))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: Actor) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_an_admin_remains(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role_changed",
        actor=actor,
        organisation=membership.organisation,
        target=membership,
        details={"user": membership.user.email, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    if membership.role == Role.ADMIN:
        _ensure_an_admin_remains(membership)
    audit_record(
        action="membership.removed",
        actor=actor,
        organisation=membership.organisation,
        target=membership,
        details={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: Actor,
) -> tuple[Invitation, str]:
    """Create an invitation and email its link. Returns the invitation and the raw token."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member of the organisation."))
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_digest(token),
        invited_by=actor.user,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="invitation.created",
        actor=actor,
        organisation=organisation,
        target=invitation,
        details={"email": email, "role": role},
    )
    send_email_on_commit(
        "invitation",
        to=[email],
        language=organisation.language,
        context={
            "organisation": organisation,
            "inviter": actor.user,
            "role": invitation.get_role_display(),
            "accept_url": absolute_url(reverse("accounts:invitation_accept", args=[token])),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation, token


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, actor: Actor) -> Membership:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_pending:
        raise ValidationError(_("This invitation is no longer valid."))
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    membership = membership_add(
        organisation=locked.organisation, user=user, role=locked.role, actor=actor
    )
    audit_record(
        action="invitation.accepted",
        actor=actor,
        organisation=locked.organisation,
        target=locked,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="invitation.revoked",
        actor=actor,
        organisation=invitation.organisation,
        target=invitation,
    )


@transaction.atomic
def staff_user_create(*, email: str, password: str, first_name: str, last_name: str) -> User:
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
