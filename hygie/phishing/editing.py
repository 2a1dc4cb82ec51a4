"""Editing a scenario in the console: every save is a new version, checked by the
same schema as the files. Campaigns keep the version they were created with."""

from __future__ import annotations

import copy
import hashlib
import json
import unicodedata
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.phishing.content.scenarios import (
    PREMISE_ALIGNMENT,
    field_problems,
    place_label,
    rated_difficulty,
)
from hygie.phishing.models import FlagPlace, Scenario, ScenarioStatus

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


def available_scenarios(organisation: Organisation, language: str = "fr") -> QuerySet[Scenario]:
    """The latest version of each scenario: shipped ones and the organisation's own edits."""
    rows = Scenario.objects.filter(language=language).filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    latest: dict[str, int] = {}
    # Newest first; at equal version the organisation's own edit wins.
    # (NULLs placed explicitly: SQLite and PostgreSQL sort them at opposite ends.)
    order = ("slug", "-version", F("organisation_id").asc(nulls_last=True))
    for pk, slug in rows.order_by(*order).values_list("pk", "slug"):
        latest.setdefault(slug, pk)
    return Scenario.objects.filter(pk__in=latest.values()).order_by("difficulty", "title")


def launchable_scenarios(organisation: Organisation, language: str = "fr") -> QuerySet[Scenario]:
    """The scenarios a simulation may use: the latest version of each, once published."""
    return available_scenarios(organisation, language).filter(status=ScenarioStatus.PUBLISHED)


def visible_scenarios(organisation: Organisation) -> QuerySet[Scenario]:
    """Every version the organisation may open (shipped, or its own)."""
    return Scenario.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


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


def initial_of(scenario: Scenario) -> dict[str, Any]:
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


@transaction.atomic
def scenario_new_version(
    *,
    scenario: Scenario,
    organisation: Organisation,
    actor: Actor,
    changes: dict[str, Any],
) -> Scenario:
    """Save the edited content as the organisation's next version of the scenario.

    The new version keeps the edited one's state: a draft stays a draft until it is
    published; a published scenario edited by someone allowed to manage content
    stays published (they wrote it). Raises ValidationError keyed by form field;
    nothing is written then."""
    if scenario.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This scenario belongs to another organisation."))
    data = copy.deepcopy(scenario.data)
    for name in TOP_LEVEL:
        if name in changes:
            data[name] = changes[name]
    landing = dict(data.get("landing") or {})
    if "landing_title" in changes:
        landing["title"] = changes["landing_title"]
    if "landing_html" in changes:
        landing["html"] = changes["landing_html"]
    data["landing"] = landing
    if "attachment_name" in changes or "attachment_html" in changes:
        attachment = dict(data.get("attachment") or {})
        attachment["filename"] = changes.get("attachment_name", attachment.get("filename", ""))
        attachment["html"] = changes.get("attachment_html", attachment.get("html", ""))
        # Both emptied: no attachment any more.
        data.pop("attachment", None)
        if attachment["filename"].strip() or attachment["html"].strip():
            data["attachment"] = attachment
    if "red_flags" in changes:
        data["red_flags"] = flags_from_text(changes["red_flags"])
    if {"cues", "premise", "premise_note"} & set(changes):
        # Staff rate the message; the difficulty follows from the scale, never typed.
        rating = dict(data.get("difficulty_rating") or {})
        for name in ("cues", "premise", "premise_note"):
            if name in changes:
                rating[name] = changes[name]
        data["difficulty_rating"] = rating
        if isinstance(rating.get("cues"), int) and rating.get("premise") in PREMISE_ALIGNMENT:
            data["difficulty"] = rated_difficulty(rating["cues"], rating["premise"])
    # Lock the scenario's versions so that two editors cannot take the same number.
    list(
        Scenario.objects.select_for_update()
        .filter(slug=scenario.slug, language=scenario.language)
        .values_list("pk", flat=True)
    )
    highest = (
        Scenario.objects.filter(slug=scenario.slug, language=scenario.language)
        .filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .aggregate(v=Max("version"))["v"]
    )
    data["version"] = (highest or 0) + 1
    data["last_reviewed"] = date.today()  # noqa: DTZ011 - a calendar date
    errors: dict[str, list[str]] = {}
    for name, message in field_problems(data):
        # The form has no difficulty field: its rating's problems go beside the cues.
        errors.setdefault("cues" if name == "difficulty" else name, []).append(message)
    if errors:
        raise ValidationError(errors)
    stored = {k: v for k, v in data.items() if k != "last_reviewed"}
    checksum = hashlib.sha256(
        json.dumps(stored, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    new = Scenario.objects.create(
        organisation=organisation,
        slug=scenario.slug,
        language=scenario.language,
        version=data["version"],
        title=data["title"],
        channel=data["channel"],
        technique=data["technique"],
        difficulty=data["difficulty"],
        theme=data["theme"],
        last_reviewed=data["last_reviewed"],
        checksum=checksum,
        data=stored,
        created_by=actor.user,
        status=scenario.status,
        published_by=actor.user if scenario.status == ScenarioStatus.PUBLISHED else None,
        published_at=timezone.now() if scenario.status == ScenarioStatus.PUBLISHED else None,
    )
    audit_record(
        action="scenario.edited",
        actor=actor,
        organisation=organisation,
        target=new,
        details={"slug": new.slug, "from_version": scenario.version, "version": new.version},
    )
    return new
