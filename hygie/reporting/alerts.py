"""The alert about a lure in circulation: what members are shown of it.

The excerpt comes from the reported message, which may carry the reporter's
personal data (their name in the greeting, their address, phone or RPPS number):
those are removed, and so is anything that looks like an address or a phone number
of anyone. Links are disarmed so that the alert itself cannot lead to the lure, and
braces are neutralised so that nothing in the excerpt reads as a mailing
placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from hygie.reporting.rendering import defang

EXCERPT_LENGTH = 700
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.\-]?\d{2}){4}\b")
_LONG_NUMBER = re.compile(r"\b\d{9,}\b")
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)


def sanitise(text: str, *, names: Iterable[str] = ()) -> str:
    """The lure's text without personal data, links disarmed, cut to a readable length."""
    text = _LINK.sub(lambda m: defang(m.group(0)), text)
    text = _EMAIL.sub(_("[address removed]"), text)
    text = _PHONE.sub(_("[number removed]"), text)
    text = _LONG_NUMBER.sub(_("[number removed]"), text)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", _("[name removed]"), text, flags=re.IGNORECASE)
    text = text.replace("{", "(").replace("}", ")")
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + " […]"
    return text


def email_text(*, subject: str, sender_domain: str, excerpt: str) -> str:
    quoted = "\n".join(f"> {line}" if line else ">" for line in excerpt.splitlines())
    return _(
        "{{ salutation }},\n\n"
        "A fraudulent message is reaching members right now. Several of you reported it.\n\n"
        "Subject: “%(subject)s”\n"
        "Sent from: %(domain)s\n\n"
        "What it looks like (links disarmed, personal details removed):\n\n%(excerpt)s\n\n"
        "What to do:\n"
        "- Delete it without clicking or replying.\n"
        "- If you clicked or typed a password: change that password now and tell us.\n"
        "- In doubt, contact the organisation it claims to come from by the number or site "
        "you already know, never by those in the message.\n\n"
        "What not to do:\n"
        "- Do not click its links or open its attachments.\n"
        "- Do not reply and do not call the numbers it gives.\n"
        "- Do not forward it to colleagues: this alert does it for you.\n\n"
        "Thank you to the members who reported it: that is what allows us to warn you.\n"
    ) % {
        "subject": subject.replace("{", "(").replace("}", ")"),
        "domain": defang(sender_domain) if sender_domain else _("unknown"),
        "excerpt": quoted,
    }


def sms_text(*, organisation: str, subject: str, sender_domain: str) -> str:
    text = _(
        "%(org)s alert: a fraudulent message “%(subject)s”%(domain)s is circulating. "
        "Do not click, do not reply, delete it."
    ) % {
        "org": organisation,
        "subject": subject[:80].replace("{", "(").replace("}", ")"),
        "domain": (_(" (%(domain)s)") % {"domain": defang(sender_domain)}) if sender_domain else "",
    }
    return text[:480]
