"""The detector's reasons, as staff read them.

Reasons are stored as short English phrases (stable, searchable, independent of
the language of whoever looks); the console shows them in the reader's language.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hygie.lib.kept import Kept
from hygie.phishing.models import KnownScanner

# (pattern of the stored phrase, its translation with the pattern's groups). The
# first that matches wins; an unknown phrase is shown as it was stored.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^same visitor as: (?P<detail>.+)$"), "same visitor as: %(detail)s"),
    (
        re.compile(r"^burst: (?P<n>\d+) recipients from one (?:visitor|address)$"),
        "burst: %(n)s recipients from one visitor",
    ),
    (re.compile(r"^scanner network: (?P<detail>.+)$"), "scanner network: %(detail)s"),
    (re.compile(r"^known scanner: (?P<detail>.+)$"), "known scanner: %(detail)s"),
    (re.compile(r"^link previewer: (?P<detail>.+)$"), "link previewer: %(detail)s"),
    (re.compile(r"^user agent: (?P<detail>.+)$"), "user agent: %(detail)s"),
    (re.compile(r"^client hints: (?P<detail>.+)$"), "client hints: %(detail)s"),
    (re.compile(r"^(?P<n>\d+) s after delivery$"), "%(n)s s after delivery"),
]
_FIXED = {
    "hidden link (invisible to people)",
    "HEAD request",
    "no user agent",
    "prefetch request",
    "no Accept-Language header",
    "no sign of a person on the page yet",
    "a person interacted with the page",
    "the person said it was not them",
    "reported by the person",
    "not a browser's navigation",
    "client hints: HeadlessChrome",
    "client hints: do not match the user agent",
    "machine open (Apple Mail Privacy Protection)",
    "mail image proxy: a person's open, device unknown",
}


# The shipped scanner families' names, English → French (reasons name a family in English).
_FAMILY_NAMES: Kept[int, dict[str, str]] = Kept(seconds=60.0, most=1)
_NAMED_FAMILY = ("known scanner:", "link previewer:")


def _french_family_names() -> dict[str, str]:
    return dict(KnownScanner.objects.values_list("label_en", "label").distinct())


def family_name(name: str) -> str:
    """A shipped scanner family's name (stored in English) in the reader's language."""
    if (get_language() or "fr").startswith("en"):
        return name
    return _FAMILY_NAMES.get(0, _french_family_names).get(name, name)


def forget_family_names() -> None:
    _FAMILY_NAMES.forget(None)


def reason_label(reason: str) -> str:
    """One stored reason in the reader's language."""
    if reason in _FIXED:
        return _(reason)
    for pattern, message in _PATTERNS:
        found = pattern.match(reason)
        if found:
            values = dict(found.groupdict())
            if "detail" in values and message.startswith("same visitor"):
                values["detail"] = reason_label(values["detail"])
            elif "detail" in values and message.startswith(_NAMED_FAMILY):
                values["detail"] = family_name(values["detail"])
            return _(message) % values
    return reason


def reason_labels(reasons: list[str]) -> list[str]:
    return [reason_label(reason) for reason in reasons]
