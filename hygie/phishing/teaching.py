"""What the teachable moment shows: the reader's device, the way to report, the way back
to the personal space. Kept apart from the views so that tests build the very context
the tracking page is rendered from."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.urls import reverse

from hygie.accounts.models import Organisation
from hygie.delivery.models import Delivery

TOUCH = "touch"
POINTER = "pointer"
# Neither: the page carries both wordings and CSS (hover: none) picks one.
UNKNOWN = ""

_TOUCH_AGENT = re.compile(r"Mobi|Android|iPhone|iPad|iPod|Windows Phone", re.IGNORECASE)
_DESKTOP_AGENT = re.compile(r"Windows NT|Macintosh|X11|CrOS", re.IGNORECASE)

# The link from the explanation to the personal space: signed, it names the delivery
# without revealing its tracking token. It never signs anyone in (it only offers to
# email the person's own sign-in link), so it need not expire; once retention has
# unlinked the message from the person, the space asks for an address as usual.
SPACE_SALT = "hygie.phishing.space-link"


def device_of(request: HttpRequest) -> str:
    """How the reader points at a link: a touch screen or a mouse, when we can tell.

    The client hint Sec-CH-UA-Mobile (sent by Chromium browsers) decides first; then
    the user agent. An iPad asking for the desktop site says "Macintosh": it gets the
    mouse wording from the server, which is why the page has a CSS fallback only when
    nothing is known."""
    hint = request.headers.get("Sec-CH-UA-Mobile", "").strip()
    if hint == "?1":
        return TOUCH
    agent = request.headers.get("User-Agent", "")
    if _TOUCH_AGENT.search(agent):
        return TOUCH
    if hint == "?0" or _DESKTOP_AGENT.search(agent):
        return POINTER
    return UNKNOWN


def reporting_address(organisation: Organisation) -> str:
    """The organisation's reporting address, or "" when it has none. The report mailbox
    belongs to `reporting`, which depends on this app: it is reached by its relation."""
    try:
        mailbox = organisation.report_mailbox
    except ObjectDoesNotExist:
        return ""
    return str(mailbox.address or "")


def space_link(delivery: Delivery) -> str:
    """The personal space's address that offers to send this person their sign-in link."""
    value = signing.Signer(salt=SPACE_SALT).sign_object({"d": delivery.pk})
    path = reverse("portal:from_exercise", args=[value], urlconf=settings.ROOT_URLCONF)
    return settings.PUBLIC_BASE_URL + path


def delivery_of_space_link(value: str) -> int | None:
    """The delivery id a space link names, or None when it is forged."""
    try:
        data = signing.Signer(salt=SPACE_SALT).unsign_object(value)
    except signing.BadSignature:
        return None
    delivery_id = data.get("d") if isinstance(data, dict) else None
    return delivery_id if isinstance(delivery_id, int) else None
