"""Capsules as text files: parsed, validated against the schema, loaded by version.

A file is Markdown with a YAML front matter between `---` lines. Loading is
idempotent: the same version with the same text changes nothing; a changed text
under an existing version number is refused (bump the version instead), so that
what a campaign sent stays reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml
from django.conf import settings
from django.db import transaction

from hygie.library.models import Capsule
from hygie.library.reader_roles import DEFAULT_ROLE, body_for_role
from hygie.library.schema import field_problems
from hygie.library.sources import source_problems


class CapsuleError(ValueError):
    pass


@dataclass(frozen=True)
class CapsuleFile:
    meta: dict[str, Any]
    body: str
    checksum: str
    path: Path


def parse(path: Path) -> CapsuleFile:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise CapsuleError(f"{path.name}: the file must start with a '---' front matter line")
    try:
        front, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front)
    except ValueError:
        raise CapsuleError(f"{path.name}: the front matter is not closed by '---'") from None
    except yaml.YAMLError as exc:
        raise CapsuleError(f"{path.name}: invalid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise CapsuleError(f"{path.name}: the front matter must be a mapping")
    return CapsuleFile(meta, body.strip(), hashlib.sha256(text.encode()).hexdigest(), path)


def problems(capsule: CapsuleFile) -> list[str]:
    """Every schema violation of a capsule file, in words."""
    found = [message for _field, message in field_problems(capsule.meta, capsule.body)]
    if capsule.path.stem != capsule.meta.get("slug"):
        found.insert(0, "the file name must be the slug")
    found += source_problems(capsule.meta.get("sources") or [])
    return found


def render_body(body: str) -> str:
    html = markdown.markdown(body, extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, link_rel="noopener noreferrer")


def capsule_files(root: Path | None = None) -> list[Path]:
    base = root or Path(settings.BASE_DIR) / "content" / "capsules"
    return sorted(base.glob("*/*.md"))


@transaction.atomic
def load(root: Path | None = None) -> dict[str, int]:
    """Load every shipped capsule file. Returns counts of created and unchanged rows."""
    counts = {"created": 0, "unchanged": 0}
    errors = []
    parsed = []
    for path in capsule_files(root):
        try:
            capsule = parse(path)
        except CapsuleError as exc:
            errors.append(str(exc))
            continue
        errors += [f"{path.parent.name}/{path.name}: {p}" for p in problems(capsule)]
        parsed.append(capsule)
    if errors:
        raise CapsuleError("Invalid capsule files:\n  " + "\n  ".join(errors))
    for capsule in parsed:
        meta = capsule.meta
        existing = Capsule.objects.filter(
            organisation=None,
            slug=meta["slug"],
            language=meta["language"],
            version=meta["version"],
        ).first()
        if existing is not None:
            if existing.checksum != capsule.checksum:
                raise CapsuleError(
                    f"{meta['language']}/{meta['slug']}: the text changed but version "
                    f"{meta['version']} is already loaded; increase the version."
                )
            counts["unchanged"] += 1
            continue
        Capsule.objects.create(
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
        counts["created"] += 1
    return counts
