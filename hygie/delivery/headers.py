"""Headers a mailing, or one of its deliveries, may carry beyond those the engine writes.

A small allow-list, each name with the form its value must have:

- `Auto-Submitted` (RFC 3834) and `X-Auto-Response-Suppress` say that a message is
  an automatic answer, so that auto-responders do not answer it back (mailing-wide);
- `In-Reply-To` and `References` thread a message under the one it answers in the
  recipient's mail client (per delivery: each recipient wrote their own message).

Values are set by code, never typed in a form, and are checked when they are stored
and again when a message is built: a name outside the list, or a value that could end
its header line (CR, LF) or is not of its header's form, is refused. They are ASCII,
so they are written as they are.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A msg-id (RFC 5322 §3.6.4, without comments or folding): printable ASCII, no space,
# no angle bracket, one "@" between two non-empty parts.
_ID_PART = r"[!-;=?A-~]+"
MSG_ID = re.compile(rf"<{_ID_PART}@{_ID_PART}>")
_SUPPRESS = r"(?:All|DR|NDR|RN|NRN|OOF|AutoReply)"

ALLOWED: dict[str, re.Pattern[str]] = {
    "Auto-Submitted": re.compile(r"auto-(?:replied|generated|notified)"),
    "X-Auto-Response-Suppress": re.compile(rf"{_SUPPRESS}(?:, ?{_SUPPRESS})*"),
    "In-Reply-To": MSG_ID,
    "References": re.compile(rf"{MSG_ID.pattern}(?: {MSG_ID.pattern}){{0,19}}"),
}
MAX_LENGTH = 900  # under the 998 octets of a header line, with its name

# What an automatic answer says about itself (mailing-wide).
AUTO_REPLY = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}


def headers_checked(headers: object) -> dict[str, str]:
    """`headers` if every name is allowed and every value of its form; ValidationError if not."""
    if not isinstance(headers, dict):
        raise ValidationError(_("Extra headers must be a mapping of names to values."))
    for name, value in headers.items():
        if name not in ALLOWED:
            raise ValidationError(
                _("The header “%(name)s” is not allowed."), params={"name": str(name)[:60]}
            )
        if (
            not isinstance(value, str)
            or len(value) > MAX_LENGTH
            or any(c in value for c in "\r\n\x00")
            or not ALLOWED[name].fullmatch(value)
        ):
            raise ValidationError(
                _("The value of the header “%(name)s” is not valid."), params={"name": name}
            )
    return dict(headers)


def validate_headers(value: object) -> None:
    """The model fields' validator."""
    headers_checked(value)


def reply_headers(message_id: str) -> dict[str, str]:
    """Threading under the message `message_id`; nothing when it is not a plain msg-id.

    The id comes from a message someone sent us: one that is not of the form (a line
    break, a space, a second header hidden in it) is not used at all."""
    candidate = message_id.strip(" \t")
    if candidate and not candidate.startswith("<"):
        candidate = f"<{candidate}>"
    if len(candidate) > 250 or not MSG_ID.fullmatch(candidate):
        return {}
    return {"In-Reply-To": candidate, "References": candidate}
