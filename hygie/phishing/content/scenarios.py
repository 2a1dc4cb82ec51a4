"""Scenario files (content/scenarios/<lang>/<slug>.yaml): validated, loaded by version.

The shape is every content type's (`hygie.lib.content`): `load_scenario_files` reads and
validates, `scenarios_sync` saves."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.delivery import attachments
from hygie.delivery.placeholders import PLACEHOLDER, unknown_placeholders
from hygie.lib.content import (
    ContentError,
    checksum,
    content_directory,
    content_files,
    is_new_version,
    loaded_checksums,
    parse_yaml,
    read_once_per_text,
    read_text,
)
from hygie.library.themes import THEMES
from hygie.phishing.models import FlagPlace, Scenario, ScenarioChannel, ScenarioStatus, Technique

CHANNELS = set(ScenarioChannel.values)
TECHNIQUES = set(Technique.values)
WHERE = set(FlagPlace.values)


def place_label(code: str) -> str:
    """Where a red flag is, as the reader of the page says it."""
    return str(FlagPlace(code).label) if code in FlagPlace.values else code


# Placeholders of simulations: the common ones plus the QR code image.
EXTRA_PLACEHOLDERS = {"qr_code"}

# The difficulty scale (docs/content.md), in the spirit of NIST's Phish Scale: the
# fewer cues a message shows and the closer its premise is to the reader's work, the
# harder it is to detect. Difficulty = 1 + cue band + premise alignment, from 1 to 5.
PREMISE_ALIGNMENT = {"low": 0, "medium": 1, "high": 2}
MANY_CUES, SOME_CUES = 7, 5  # 7 or more: many; 5 or 6: some; 4 or fewer: few
PREMISE_LABELS = {
    "low": gettext_lazy("Low"),
    "medium": gettext_lazy("Medium"),
    "high": gettext_lazy("High"),
}


# How the console's scenario editor names each field (its form labels): its problems
# name the field as the form does. The file loader names them by their YAML key.
FIELD_LABELS: dict[str, str | Promise] = {
    "title": gettext_lazy("Title"),
    "channel": gettext_lazy("Channel"),
    "technique": gettext_lazy("Technique"),
    "theme": gettext_lazy("Theme"),
    "language": gettext_lazy("Language"),
    "version": gettext_lazy("Version"),
    "last_reviewed": gettext_lazy("Last reviewed"),
    "difficulty": gettext_lazy("Difficulty"),
    "difficulty_rating": gettext_lazy("Difficulty"),
    "cues": gettext_lazy("Cues a reader can see in the message"),
    "premise": gettext_lazy("How closely the pretext matches the reader's work"),
    "premise_note": gettext_lazy("Why"),
    "sender_name": gettext_lazy("Sender name"),
    "sender_local_part": gettext_lazy("Sender address (before the @)"),
    "subject": gettext_lazy("Subject"),
    "text_body": gettext_lazy("Text version"),
    "html_body": gettext_lazy("HTML version"),
    "sms_body": gettext_lazy("SMS text"),
    "attachment_name": gettext_lazy("Attachment file name (PDF)"),
    "attachment_html": gettext_lazy("Attachment content (HTML)"),
    "landing": gettext_lazy("Landing page"),
    "landing_title": gettext_lazy("Landing page title"),
    "landing_html": gettext_lazy("Landing page (HTML)"),
    "red_flags": gettext_lazy("Red flags"),
}


def field_namer(labels: Mapping[str, str | Promise] | None) -> Callable[[str], str]:
    """How a problem names a field: “its label” when `labels` are given, else 'its key'."""

    def named(key: str) -> str:
        if labels is not None and key in labels:
            return _("“%(label)s”") % {"label": labels[key]}
        return f"'{key}'"

    return named


def cue_band(cues: int) -> int:
    """0 for many cues (easiest to detect), 1 for some, 2 for few."""
    if cues >= MANY_CUES:
        return 0
    return 1 if cues >= SOME_CUES else 2


def rated_difficulty(cues: int, premise: str) -> int:
    return 1 + cue_band(cues) + PREMISE_ALIGNMENT[premise]


def message_flags(data: dict[str, Any]) -> int:
    """Anchored red flags a reader can see before clicking (the landing page is after)."""
    return sum(1 for flag in data.get("red_flags") or [] if flag.get("where") != "landing")


def rating_problems(
    data: dict[str, Any], labels: Mapping[str, str | Promise] | None = None
) -> list[str]:
    named = field_namer(labels)
    rating = data.get("difficulty_rating")
    if not isinstance(rating, dict):
        return [
            _("%(field)s (cues, premise, premise_note) is required")
            % {"field": named("difficulty_rating")}
        ]
    found = []
    cues, premise = rating.get("cues"), rating.get("premise")
    cues_name = named("cues") if labels is not None else "'difficulty_rating.cues'"
    premise_name = named("premise") if labels is not None else "'difficulty_rating.premise'"
    note_name = named("premise_note") if labels is not None else "'difficulty_rating.premise_note'"

    def named_premise(value: str) -> str:
        return str(PREMISE_LABELS[value]) if labels is not None else f"'{value}'"

    if not isinstance(cues, int) or cues < message_flags(data):
        found.append(
            _("%(field)s must count at least the %(count)s red flags of the message")
            % {"field": cues_name, "count": message_flags(data)}
        )
    if premise not in PREMISE_ALIGNMENT:
        found.append(
            _("%(field)s must be one of: %(values)s")
            % {
                "field": premise_name,
                "values": ", ".join(named_premise(value) for value in PREMISE_ALIGNMENT),
            }
        )
    if not str(rating.get("premise_note", "")).strip():
        found.append(_("%(field)s must say why the premise fits or not") % {"field": note_name})
    if not found and data.get("difficulty") != rated_difficulty(cues, premise):  # type: ignore[arg-type]
        found.append(
            _(
                "%(field)s must be %(difficulty)s on the scale "
                "(%(cues)s cues, premise alignment %(premise)s)"
            )
            % {
                "field": named("difficulty"),
                "difficulty": rated_difficulty(cues, premise),  # type: ignore[arg-type]
                "cues": cues,
                "premise": named_premise(premise),  # type: ignore[arg-type]
            }
        )
    return found


class ScenarioError(ContentError):
    title = "Invalid scenario files"


def scenario_files(directory: Path | None = None) -> list[Path]:
    return content_files(directory or content_directory("scenarios"), "*/*.yaml")


def parse(path: Path) -> tuple[dict[str, Any], str]:
    text = read_text(path, ScenarioError)
    data = parse_yaml(path, text, ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path.name}: a scenario is a mapping")
    return data, checksum(text)


def attachment_of(data: dict[str, Any]) -> tuple[str, str]:
    """(file name, HTML) of a scenario's attachment; empty strings when it has none."""
    attachment = data.get("attachment") or {}
    return str(attachment.get("filename", "")), str(attachment.get("html", ""))


def _field(data: dict[str, Any], where: str) -> str:
    landing = data.get("landing") or {}
    return str(
        {
            "subject": data.get("subject", ""),
            "sender": data.get("sender_name", ""),
            "body": f"{data.get('text_body', '')}\n{data.get('html_body', '')}",
            "link": f"{data.get('text_body', '')}\n{data.get('html_body', '')}",
            "landing": landing.get("html", ""),
            "sms": data.get("sms_body", ""),
            "attachment": attachment_of(data)[1],
        }.get(where, "")
    )


def problems(data: dict[str, Any], path: Path) -> list[str]:
    found = [] if path.stem == data.get("slug") else [_("the file name must be the slug")]
    return found + [message for _field_name, message in field_problems(data)]


def field_problems(
    data: dict[str, Any], labels: Mapping[str, str | Promise] | None = None
) -> list[tuple[str, str]]:
    """Each problem with the field it concerns (console forms show it beside that field),
    in the active language. With `labels` (FIELD_LABELS for the console's editor) a
    message names its field by its label, else by its YAML key (the file loader's)."""
    found: list[tuple[str, str]] = []
    named = field_namer(labels)

    def add(name: str, message: str) -> None:
        found.append((name, message))

    for key in (
        "slug",
        "version",
        "language",
        "last_reviewed",
        "title",
        "channel",
        "technique",
        "difficulty",
        "theme",
        "landing",
        "red_flags",
    ):
        if key not in data:
            add(key, _("missing field %(field)s") % {"field": named(key)})
    if data.get("channel") not in CHANNELS:
        add("channel", _("unknown channel %(value)r") % {"value": data.get("channel")})
    if data.get("technique") not in TECHNIQUES:
        add("technique", _("unknown technique %(value)r") % {"value": data.get("technique")})
    if not isinstance(data.get("difficulty"), int) or not 1 <= data["difficulty"] <= 5:
        add("difficulty", _("%(field)s must be 1 to 5") % {"field": named("difficulty")})
    else:
        for message in rating_problems(data, labels):
            add("difficulty", message)
    if data.get("theme") not in THEMES:
        add("theme", _("unknown theme %(value)r") % {"value": data.get("theme")})
    if not isinstance(data.get("last_reviewed"), date):
        add("last_reviewed", _("%(field)s must be a date") % {"field": named("last_reviewed")})
    channel = data.get("channel")
    if channel in {"email", "qr"}:
        for key in ("sender_name", "sender_local_part", "subject", "text_body", "html_body"):
            if not str(data.get(key, "")).strip():
                message = (
                    _("missing %(field)s for an email scenario")
                    if channel == "email"
                    else _("missing %(field)s for a QR code scenario")
                )
                add(key, message % {"field": named(key)})
        for key in ("text_body", "html_body"):
            if "lien" not in {m.group(1) for m in PLACEHOLDER.finditer(str(data.get(key, "")))}:
                add(
                    key,
                    _("%(field)s must contain the tracked link {{ lien }}") % {"field": named(key)},
                )
        if "@" in str(data.get("sender_local_part", "")):
            add(
                "sender_local_part",
                _("%(field)s is only the part before @") % {"field": named("sender_local_part")},
            )
    if channel == "qr" and "{{ qr_code }}" not in str(data.get("html_body", "")):
        add(
            "html_body",
            _("a QR code scenario places {{ qr_code }} in its %(field)s")
            % {"field": named("html_body")},
        )
    if channel == "sms":
        body = str(data.get("sms_body", ""))
        if "{{ lien }}" not in body or len(body) > 320:
            add(
                "sms_body",
                _("%(field)s needs {{ lien }} and at most 320 characters")
                % {"field": named("sms_body")},
            )
    for key in ("subject", "text_body", "html_body", "sms_body"):
        unknown = set(unknown_placeholders(str(data.get(key, "")))) - EXTRA_PLACEHOLDERS
        if unknown:
            add(
                key,
                _("unknown placeholder(s) in %(field)s: %(names)s")
                % {"field": named(key), "names": ", ".join(sorted(unknown))},
            )
    attachment = data.get("attachment")
    if attachment is not None:
        if channel not in {"email", "qr"} or not isinstance(attachment, dict):
            add(
                "attachment",
                _("an attachment has a file name and HTML content, in an email scenario"),
            )
        else:
            html = str(attachment.get("html", ""))
            for name, message in attachments.problems(
                str(attachment.get("filename", "")), html
            ).items():
                add(name, message)
            if not re.search(r"\{\{\s*(lien|qr_code)\s*\}\}", html):
                add(
                    "attachment_html",
                    _("the attachment needs the link {{ lien }} or {{ qr_code }}"),
                )
    landing = data.get("landing") or {}
    if not landing.get("title"):
        add("landing_title", _("the landing page needs a title and HTML content"))
    elif not landing.get("html"):
        add("landing_html", _("the landing page needs a title and HTML content"))
    if "<script" in str(landing.get("html", "")).lower():
        add("landing_html", _("no script in a landing page"))
    flags = data.get("red_flags") or []
    if not 3 <= len(flags) <= 6:
        add("red_flags", _("3 to 6 red flags are required"))
    for number, flag in enumerate(flags, start=1):
        if flag.get("where") not in WHERE:
            add(
                "red_flags",
                _("red flag %(number)s: unknown place %(place)r")
                % {"number": number, "place": flag.get("where")},
            )
        elif not str(flag.get("anchor", "")).strip():
            add("red_flags", _("red flag %(number)s: missing anchor") % {"number": number})
        elif flag.get("where") == "attachment" and not attachment:
            add(
                "red_flags",
                _("red flag %(number)s: the scenario has no attachment") % {"number": number},
            )
        elif str(flag.get("anchor", "")) not in _field(data, flag["where"]):
            place = place_label(flag["where"]) if labels is not None else flag["where"]
            add(
                "red_flags",
                _("red flag %(number)s: anchor not found in its place (%(place)s)")
                % {"number": number, "place": place},
            )
        if not str(flag.get("explanation", "")).strip():
            add("red_flags", _("red flag %(number)s: missing explanation") % {"number": number})
    return found


@read_once_per_text(scenario_files)
def load_scenario_files(directory: Path | None = None) -> list[tuple[dict[str, Any], str]]:
    """(data, checksum) of every scenario file of the directory, validated (nothing saved)."""
    errors: list[str] = []
    parsed = []
    for path in scenario_files(directory):
        try:
            data, text_checksum = parse(path)
        except ScenarioError as exc:
            errors += exc.problems
            continue
        errors += [f"{path.parent.name}/{path.name}: {p}" for p in problems(data, path)]
        parsed.append((data, text_checksum))
    if errors:
        raise ScenarioError(errors)
    return parsed


@transaction.atomic
def scenarios_sync(*, directory: Path | None = None) -> dict[str, int]:
    """Save the shipped scenario files. Returns counts of created and unchanged rows."""
    counts = {"created": 0, "unchanged": 0}
    # One read of what is loaded and one insert of what is new (see capsules_sync).
    loaded = loaded_checksums(Scenario.objects.filter(organisation__isnull=True))
    new = []
    for data, text_checksum in load_scenario_files(directory):
        key = (data["slug"], data["language"], data["version"])
        refusal = ScenarioError(
            f"{data['slug']}: changed under version {data['version']}; increase it."
        )
        if not is_new_version(loaded, key, text_checksum, refusal):
            counts["unchanged"] += 1
            continue
        new.append(
            Scenario(
                slug=data["slug"],
                language=data["language"],
                version=data["version"],
                title=data["title"],
                channel=data["channel"],
                technique=data["technique"],
                difficulty=data["difficulty"],
                theme=data["theme"],
                last_reviewed=data["last_reviewed"],
                checksum=text_checksum,
                data={k: v for k, v in data.items() if k != "last_reviewed"},
                # The shipped library is reviewed before it ships.
                status=ScenarioStatus.PUBLISHED,
            )
        )
    Scenario.objects.bulk_create(new)
    counts["created"] = len(new)
    return counts
