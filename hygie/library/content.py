"""Capsules as text files (content/capsules/<lang>/<slug>.md): parsed, validated against
the schema, loaded by version.

A file is Markdown with a YAML front matter between `---` lines. Loading is
idempotent: the same version with the same text changes nothing; a changed text
under an existing version number is refused (bump the version instead), so that
what a campaign sent stays reproducible. The shape is every content type's
(`hygie.lib.content`): `load_capsule_files` reads and validates, `capsules_sync` saves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
from django.db import transaction

from hygie.lib.content import (
    ContentError,
    checksum,
    content_directory,
    content_files,
    is_new_version,
    loaded_checksums,
    read_once_per_text,
    read_text,
    split_front_matter,
)
from hygie.library.models import Capsule
from hygie.library.reader_roles import DEFAULT_ROLE, body_for_role
from hygie.library.schema import field_problems
from hygie.library.sources import source_problems


class CapsuleError(ContentError):
    title = "Invalid capsule files"


@dataclass(frozen=True)
class CapsuleFile:
    meta: dict[str, Any]
    body: str
    checksum: str
    path: Path


def parse(path: Path) -> CapsuleFile:
    text = read_text(path, CapsuleError)
    meta, body = split_front_matter(path, text, CapsuleError)
    return CapsuleFile(meta, body, checksum(text), path)


def problems(capsule: CapsuleFile) -> list[str]:
    """Every schema violation of a capsule file, in words."""
    found = [message for _field, message in field_problems(capsule.meta, capsule.body)]
    if capsule.path.stem != capsule.meta.get("slug"):
        found.insert(0, "the file name must be the slug")
    found += source_problems(capsule.meta.get("sources") or [])
    return found


@functools.lru_cache(maxsize=512)
def render_body(body: str) -> str:
    """Safe HTML of a capsule's Markdown (the same text always gives the same HTML)."""
    html = markdown.markdown(body, extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, link_rel="noopener noreferrer")


def capsule_files(directory: Path | None = None) -> list[Path]:
    return content_files(directory or content_directory("capsules"), "*/*.md")


@read_once_per_text(capsule_files)
def load_capsule_files(directory: Path | None = None) -> list[CapsuleFile]:
    """Every capsule file of the directory, parsed and validated (nothing is saved)."""
    errors: list[str] = []
    parsed = []
    for path in capsule_files(directory):
        try:
            capsule = parse(path)
        except CapsuleError as exc:
            errors += exc.problems
            continue
        errors += [f"{path.parent.name}/{path.name}: {p}" for p in problems(capsule)]
        parsed.append(capsule)
    if errors:
        raise CapsuleError(errors)
    return parsed


@transaction.atomic
def capsules_sync(*, directory: Path | None = None) -> dict[str, int]:
    """Save the shipped capsule files. Returns counts of created and unchanged rows."""
    counts = {"created": 0, "unchanged": 0}
    parsed = load_capsule_files(directory)
    # One read of what is loaded and one insert of what is new: the suite syncs the
    # library in hundreds of tests, and a deployment at each release.
    loaded = loaded_checksums(Capsule.objects.filter(organisation=None))
    new = []
    for capsule in parsed:
        meta = capsule.meta
        key = (meta["slug"], meta["language"], meta["version"])
        refusal = CapsuleError(
            f"{meta['language']}/{meta['slug']}: the text changed but version "
            f"{meta['version']} is already loaded; increase the version."
        )
        if not is_new_version(loaded, key, capsule.checksum, refusal):
            counts["unchanged"] += 1
            continue
        new.append(
            Capsule(
                slug=meta["slug"],
                language=meta["language"],
                version=meta["version"],
                theme=meta["theme"],
                title=meta["title"],
                promise=meta["promise"],
                reading_minutes=meta["reading_minutes"],
                audience=meta["audience"],
                audience_notes=meta.get("audience_notes", ""),
                reflexes=meta["reflexes"],
                quiz=meta["quiz"],
                sources=meta["sources"],
                body_markdown=capsule.body,
                body_html=render_body(body_for_role(capsule.body, DEFAULT_ROLE)),
                last_reviewed=meta["last_reviewed"],
                checksum=capsule.checksum,
            )
        )
    Capsule.objects.bulk_create(new)
    counts["created"] = len(new)
    return counts
