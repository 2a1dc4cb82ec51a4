"""What every content type shares: files under `content/`, read the same way, and one error.

Capsules, scenarios, scanners and the incident guidance are text files that people who
are not developers edit. Each app's `content.py` has the same entry points:
`load_<kind>_files(directory)` reads and validates every file of a directory (nothing is
saved) and raises `ContentError` naming the file, and the field when there is one, of every
problem found; `<kind>_sync(...)` writes what the files say to the database; and a
management command runs both. This module holds the reading and the error.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.conf import settings

from hygie.lib.kept import Kept

# libyaml's parser where PyYAML was built with it: the content is read again by every load
# command and by the many tests that load it, and PyYAML's pure-Python parser is about ten
# times slower for the same data (both use the same safe constructor: plain values only).
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(ValueError):
    """Content that cannot be loaded. `problems` lists each one, starting with the file it
    is in (and the field where there is one), so an author fixes them all in one go."""

    title = "Invalid content files"

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if isinstance(problems, str):
            message = problems
        else:
            message = f"{self.title}:\n  " + "\n  ".join(self.problems)
        super().__init__(message)


def content_directory(kind: str) -> Path:
    """The shipped directory of one content type: `content/<kind>/`."""
    return Path(settings.BASE_DIR) / "content" / kind


def content_files(directory: Path, pattern: str) -> list[Path]:
    """The directory's files matching `pattern` (e.g. `*/*.md`), in a stable order."""
    return sorted(directory.glob(pattern))


Loaded = TypeVar("Loaded")
# Directories whose last reading each loader keeps (the shipped one, and a few that tests
# or an editor's preview give).
KEPT_READINGS = 8


def read_once_per_text(
    list_files: Callable[[Path | None], list[Path]],
) -> Callable[[Callable[[Path | None], Loaded]], Callable[[Path | None], Loaded]]:
    """Decorate a `load_<kind>_files(directory)` so that files whose text did not change
    are not parsed and validated again: the shipped content is loaded by every sync, and
    the suite syncs it in hundreds of tests. The key is the name and the digest of every
    file (never a date, which can stay the same across an edit); each caller gets its own
    copy, so changing what it got changes no later reading. A reading that fails is
    not kept: it is done again, and fails again with the same problems."""

    def decorate(load: Callable[[Path | None], Loaded]) -> Callable[[Path | None], Loaded]:
        kept: Kept[tuple[tuple[str, bytes], ...], Loaded] = Kept(
            seconds=math.inf, most=KEPT_READINGS
        )

        @functools.wraps(load)
        def load_unless_unchanged(directory: Path | None = None) -> Loaded:
            try:
                key = tuple(
                    (str(path), hashlib.sha256(path.read_bytes()).digest())
                    for path in list_files(directory)
                )
            except OSError:
                return load(directory)  # the loader names the file it cannot read
            return copy.deepcopy(kept.get(key, lambda: load(directory)))

        return load_unless_unchanged

    return decorate


def loaded_checksums(shipped: Any) -> dict[tuple[str, str, int], str]:
    """The checksum of each shipped row already loaded, by (slug, language, version): one
    read, against which a sync checks every file (`shipped` is a queryset of them)."""
    rows = shipped.values_list("slug", "language", "version", "checksum")
    return {(slug, language, version): text for slug, language, version, text in rows}


def is_new_version(
    loaded: dict[tuple[str, str, int], str],
    key: tuple[str, str, int],
    text_checksum: str,
    refusal: ContentError,
) -> bool:
    """True when the version `key` is not loaded yet (it is then noted, so that a second
    file of that version is held to the first); False when it is loaded with the same
    text; `refusal` is raised when it is loaded with another text."""
    existing = loaded.get(key)
    if existing is None:
        loaded[key] = text_checksum
        return True
    if existing != text_checksum:
        raise refusal
    return False


def checksum(text: str) -> str:
    """The fingerprint of a file's text: a loaded version whose text changed is refused."""
    return hashlib.sha256(text.encode()).hexdigest()


def read_text(path: Path, error: type[ContentError] = ContentError) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path.name}: cannot be read ({exc})") from None


def parse_yaml(path: Path, text: str, error: type[ContentError] = ContentError) -> Any:
    try:
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise error(f"{path.name}: cannot be read ({exc})") from None


def read_yaml(path: Path, error: type[ContentError] = ContentError) -> Any:
    """The YAML document of a file; an unreadable file or invalid YAML names the file."""
    return parse_yaml(path, read_text(path, error), error)


def split_front_matter(
    path: Path, text: str, error: type[ContentError] = ContentError
) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a Markdown file that starts with YAML between `---` lines."""
    if not text.startswith("---\n"):
        raise error(f"{path.name}: the file must start with a '---' front matter line")
    try:
        front, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise error(f"{path.name}: the front matter is not closed by '---'") from None
    meta = parse_yaml(path, front, error)
    if not isinstance(meta, dict):
        raise error(f"{path.name}: the front matter must be a mapping")
    return meta, body.strip()
