"""What the teachable moment shows: the reader's device, the way to report, the way back
to the personal space. Kept apart from the views so that tests build the very context
the tracking page is rendered from."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags

from hygie.accounts.models import Organisation
from hygie.delivery.attachments import QR_PLACEHOLDER, calendar_lines, is_calendar
from hygie.delivery.models import Delivery
from hygie.delivery.placeholders import substitute
from hygie.phishing.content.scenarios import attachment_of, place_label
from hygie.phishing.models import Scenario

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


# --- The message as received, with its red flags marked ----------------------------


def attachment_text(data: dict[str, Any], values: dict[str, str]) -> str:
    """The words of a scenario's attachment, as its reader sees them (no markup)."""
    name, source = attachment_of(data)
    if not source:
        return ""
    if is_calendar(name):
        return "\n".join(value for _name, value in calendar_lines(source, values))
    source = re.sub(r"(?is)<(style|head|script)\b.*?</\1>", "", source)
    source = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|h\d|li|table)>", "\n", source)
    source = re.sub(r"(?i)</t[dh]>", " ", source)
    text = strip_tags(substitute(QR_PLACEHOLDER.sub("[QR code]", source), values))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def annotated_message(
    scenario: Scenario,
    values: dict[str, str],
    *,
    sender_address: str = "",
    link_host: str = "",
) -> dict[str, object]:
    """The message as received, escaped, with each red flag wrapped in a numbered mark.

    With `sender_address` and `link_host` (what the message really carried), the sender
    shows its full address and every occurrence of the link's host is highlighted: the
    clues "look at what follows the @" and "where does the link lead" need them."""
    data = scenario.data
    sender = html.escape(data.get("sender_name", ""))
    if sender_address:
        address = html.escape(sender_address)
        sender += f' &lt;<mark class="origin" data-testid="sender-address">{address}</mark>&gt;'
    parts = {
        "sender": sender,
        "subject": html.escape(substitute(data.get("subject", ""), values)),
        "body": html.escape(substitute(data.get("text_body") or data.get("sms_body", ""), values)),
        "attachment": html.escape(attachment_text(data, values)),
    }
    flags = []
    for number, flag in enumerate(data.get("red_flags", []), start=1):
        place = {
            "sender": "sender",
            "subject": "subject",
            "sms": "body",
            "link": "body",
            "body": "body",
            "attachment": "attachment",
        }.get(flag["where"])
        anchor = html.escape(flag["anchor"])
        if place and anchor in parts[place]:
            parts[place] = parts[place].replace(
                anchor, f'<mark id="flag-{number}">{anchor}<sup>{number}</sup></mark>', 1
            )
        flags.append(
            {
                "number": number,
                "where": flag["where"],
                "place": place_label(flag["where"]),
                "anchor": flag["anchor"],
                "explanation": flag["explanation"],
            }
        )
    if link_host:
        host = html.escape(link_host)
        # Only inside addresses ("//host/" or "//host:port/"), never in a flag's own mark.
        inside_address = re.compile(rf"//{re.escape(host)}(?=[:/])")
        mark = f'//<mark class="origin" data-testid="link-domain">{host}</mark>'
        for name in ("body", "attachment"):
            parts[name] = inside_address.sub(lambda _m: mark, parts[name])
    return {
        "parts": parts,
        "flags": flags,
        "sender_address": sender_address,
        "link_host": link_host,
    }


def message_origin(delivery: Delivery) -> dict[str, str]:
    """The sender address and the link host a delivery really carried."""
    return {
        "sender_address": delivery.variant.from_email,
        "link_host": urlsplit(delivery.mailing.link_template).hostname or "",
    }
