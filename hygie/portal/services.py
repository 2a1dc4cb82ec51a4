"""Writes of the personal space: sign-in links and the person's own preferences."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.audience.models import Language, Person, PersonStatus
from hygie.delivery.selectors import organisation_email
from hygie.lib.emails import absolute_url
from hygie.portal import selectors
from hygie.portal.models import AccessLink

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=30)
# Spent or expired links are kept a little while (for support questions), then deleted.
LINK_KEPT_AFTER_EXPIRY = timedelta(days=1)


def _signable_people(address: str) -> list[Person]:
    return list(
        Person.objects.select_related("organisation").filter(
            email=selectors.normalise_address(address),
            status=PersonStatus.ACTIVE,
            organisation__is_active=True,
        )
    )


@transaction.atomic
def links_send(*, address: str) -> int:
    """Email a sign-in link to each active person with this address (one per
    organisation). Returns how many were sent: for tests and logs, never for the
    answer page, which must not tell whether the address is known."""
    now = timezone.now()
    people = _signable_people(address)
    for person in people:
        token = secrets.token_urlsafe(32)
        AccessLink.objects.create(
            person=person,
            token_hash=selectors.token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        message = organisation_email(
            "portal_link",
            organisation=person.organisation,
            to=[str(person.email)],  # not NULL: filtered on it above
            context={
                "person": person,
                "organisation": person.organisation,
                "url": absolute_url(reverse("portal:link", args=[token])),
                "minutes": int(LINK_LIFETIME.total_seconds() // 60),
            },
            language=person.language,
        )
        transaction.on_commit(partial(_send, message))
    return len(people)


def _send(message: EmailMultiAlternatives) -> None:
    """Like lib.emails.send_email_on_commit, except that a mail failure is logged instead
    of raised: an error page only for known addresses would tell which ones exist. The
    log names neither the address nor the link."""
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any failure: the person can ask again
        logger.error("portal link email not sent", extra={"error": type(exc).__name__})


@transaction.atomic
def link_use(*, token: str) -> Person | None:
    """Spend the link and return its person, or None when it is unknown, expired,
    already used or its person can no longer sign in. A conditional update makes
    two simultaneous uses open at most one session."""
    now = timezone.now()
    link = selectors.usable_links(token).select_related("person__organisation").first()
    if link is None:
        return None
    if not AccessLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        return None
    # One session is enough: the person's other pending links stop working too.
    AccessLink.objects.filter(person=link.person, used_at__isnull=True).update(used_at=now)
    return link.person


def links_purge() -> int:
    """Delete links expired more than a day ago. Safe to run from several
    schedulers at once (registered in DUE_WORK_SOURCES by the app config)."""
    stale = AccessLink.objects.filter(expires_at__lt=timezone.now() - LINK_KEPT_AFTER_EXPIRY)
    if not stale.exists():  # a read first: no write lock on every scheduler tick
        return 0
    deleted, _by_model = stale.delete()
    return deleted


def person_set_language(*, person: Person, language: str) -> None:
    """The person's own choice of language for messages and the personal space."""
    if language not in Language.values:
        raise ValidationError(_("Choose a language from the list."))
    if person.language != language:
        person.language = language
        person.save(update_fields=["language", "updated_at"])
