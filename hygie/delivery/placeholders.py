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


def substitute(text: str, values: Mapping[str, str], *, escape_html: bool = False) -> str:
    def replace(match: re.Match[str]) -> str:
        value = values.get(NAMES.get(match.group(1), ""), "")
        return html.escape(value, quote=True) if escape_html else value

    return PLACEHOLDER.sub(replace, text)
