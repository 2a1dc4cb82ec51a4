"""Unsubscribe tokens: their own secret, never the token of the message's links.

A delivery's token sits in every link of its message, so whoever sees a forwarded
lure or capsule link knows it. Unsubscribing must need more than that: the token of
the unsubscribe link is the delivery's number with a keyed MAC over it and the
delivery's token, which only the server can compute. It works only for a mailing
that carries an unsubscribe link (never for a simulation).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from hygie.delivery.models import Delivery, MailingKind

_SALT = "hygie.delivery.unsubscribe"
# 128 bits of MAC: as hard to guess as a delivery token.
_MAC_CHARS = 32


def _mac(pk: int, token: str, secret: str) -> str:
    return salted_hmac(_SALT, f"{pk}:{token}", secret=secret, algorithm="sha256").hexdigest()[
        :_MAC_CHARS
    ]


def unsubscribe_token(delivery: Delivery) -> str:
    return f"{delivery.pk}-{_mac(delivery.pk, delivery.token, settings.SECRET_KEY)}"


def carries_unsubscribe(delivery: Delivery) -> bool:
    mailing = delivery.mailing
    return bool(mailing.unsubscribe_link) and mailing.kind != MailingKind.SIMULATION


def delivery_to_unsubscribe(token: str) -> Delivery | None:
    """The real (not test) delivery this unsubscribe token was made for, if it is valid."""
    pk_text, _, mac = token.partition("-")
    if not pk_text.isdigit() or len(pk_text) > 18 or len(mac) != _MAC_CHARS:
        return None
    delivery = (
        Delivery.objects.select_related("person", "organisation", "mailing")
        .filter(pk=int(pk_text), is_test=False)
        .first()
    )
    if delivery is None or not carries_unsubscribe(delivery):
        return None
    # Links sent before a key rotation keep working while the old key is a fallback.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(mac, _mac(delivery.pk, delivery.token, s)) for s in secrets):
        return delivery
    return None
