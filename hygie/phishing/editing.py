"""The scenario editor's side of hygie.lib.editing: a scenario read into the form
(`scenario_form_initial`), and the text format of its red flags, both ways. Saving is
`services.scenario_edit`; campaigns keep the version they were created with."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hygie.phishing.content.scenarios import place_label
from hygie.phishing.models import FlagPlace, Scenario

# Form field → where it lives in the scenario's data.
TOP_LEVEL = (
    "title",
    "sender_name",
    "sender_local_part",
    "subject",
    "text_body",
    "html_body",
    "sms_body",
)


def _place_names() -> dict[str, str]:
    """The places as they may be typed: by name in the page's language, or by code."""
    names = {_folded(place_label(code)): code for code in FlagPlace.values}
    names.update({code: code for code in FlagPlace.values})
    return names


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def flags_as_text(flags: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{place_label(f['where'])} | {f['anchor']} | {f['explanation']}" for f in flags
    )


def flags_from_text(text: str) -> list[dict[str, str]]:
    """One red flag per line: `place | anchor | explanation`."""
    flags, errors = [], []
    places = _place_names()
    for number, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
        parts = [p.strip() for p in line.split("|", 2)]
        if len(parts) != 3 or not all(parts):
            errors.append(_("Line %(n)d: write “place | anchor | explanation”.") % {"n": number})
            continue
        where = places.get(_folded(parts[0]))
        if where is None:
            known = ", ".join(place_label(code) for code in FlagPlace.values)
            errors.append(
                _("Line %(n)d: unknown place “%(place)s” (one of: %(known)s).")
                % {"n": number, "place": parts[0], "known": known}
            )
            continue
        flags.append({"where": where, "anchor": parts[1], "explanation": parts[2]})
    if errors:
        raise ValidationError({"red_flags": errors})
    return flags


def scenario_form_initial(*, scenario: Scenario) -> dict[str, Any]:
    """One version of a scenario as the editor form's fields."""
    data = scenario.data
    landing = data.get("landing") or {}
    initial = {name: data.get(name, "") for name in TOP_LEVEL}
    attachment = data.get("attachment") or {}
    rating = data.get("difficulty_rating") or {}
    initial.update(
        cues=rating.get("cues"),
        premise=rating.get("premise", ""),
        premise_note=rating.get("premise_note", ""),
        attachment_name=attachment.get("filename", ""),
        attachment_html=attachment.get("html", ""),
        landing_title=landing.get("title", ""),
        landing_html=landing.get("html", ""),
        red_flags=flags_as_text(data.get("red_flags", [])),
    )
    return initial
