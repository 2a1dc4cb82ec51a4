"""Suppressed addresses are kept as keyed hashes: an erased person stays suppressed
without their address being stored in clear."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from hygie.accounts.models import Organisation
from hygie.audience.models import Suppression


def address_hash(organisation_id: int, email: str) -> str:
    key = settings.SUPPRESSION_HASH_KEY.encode()
    message = f"{organisation_id}:{email.strip().lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def is_suppressed(organisation: Organisation, email: str) -> bool:
    return Suppression.objects.filter(
        organisation=organisation, address_hash=address_hash(organisation.pk, email)
    ).exists()


def suppressed_among(organisation_id: int, emails: list[str]) -> set[str]:
    """The subset of `emails` that is suppressed, in one query."""
    hashes = {address_hash(organisation_id, email): email for email in emails}
    found = Suppression.objects.filter(
        organisation_id=organisation_id, address_hash__in=list(hashes)
    ).values_list("address_hash", flat=True)
    return {hashes[h] for h in found}
