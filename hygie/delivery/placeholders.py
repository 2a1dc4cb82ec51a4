"""The placeholder language of authored messages: {{ name }}, nothing else.

Authors write `{{ prenom }}` or `{{ first_name }}`; only the names below exist,
each bound to one value of the recipient. There is no expression, filter, loop or
attribute access, so authored content can never run code or reach other data.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")

# Accepted spelling → canonical name.
NAMES: dict[str, str] = {
    "prenom": "first_name",
    "first_name": "first_name",
    "nom": "last_name",
    "last_name": "last_name",
    "civilite": "civility",
    "civility": "civility",
    "nom_complet": "full_name",
    "full_name": "full_name",
    "cabinet": "practice",
    "practice": "practice",
    "email": "email",
    "organisation": "organisation",
    "lien": "link",
    "link": "link",
    "salutation": "greeting",
    "greeting": "greeting",
    "lien_desinscription": "unsubscribe_link",
    "unsubscribe_link": "unsubscribe_link",
}


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in NAMES})


def check(text: str) -> None:
    """Raise ValueError naming every unknown placeholder, or any stray template syntax."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValueError(
            _("Unknown placeholder(s): %(names)s. Available: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(sorted(set(NAMES)))}
        )
    leftover = PLACEHOLDER.sub("", text)
    if "{%" in leftover or "{{" in leftover:
        raise ValueError(_("Only {{ name }} placeholders are allowed, not template tags."))


# A placeholder with the space before it: an empty value takes one space away, so
# that "Bonjour {{ civilite }} {{ nom }}," never reads "Bonjour  Lefèvre," and
# "Bonjour {{ prenom }}," reads "Bonjour," when the first name is unknown.
_SPACED = re.compile(r"( ?)\{\{\s*([A-Za-z_]+)\s*\}\}")


def substitute(text: str, values: Mapping[str, str], *, escape_html: bool = False) -> str:
    parts: list[str] = []
    position = 0
    eat_space = False  # an empty value with no space before it takes the space after it
    for match in _SPACED.finditer(text):
        between = text[position : match.start()]
        before, name = match.groups()
        if eat_space:
            if between:
                between = between.removeprefix(" ")
            else:
                before = ""
        parts.append(between)
        value = values.get(NAMES.get(name, ""), "").strip()
        if value:
            parts.append(before + (html.escape(value, quote=True) if escape_html else value))
        eat_space = not value and not before
        position = match.end()
    tail = text[position:]
    parts.append(tail.removeprefix(" ") if eat_space else tail)
    return "".join(parts)
