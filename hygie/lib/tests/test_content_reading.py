"""Content files are parsed again only when their text changes (hygie.lib.content)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from hygie.library import content as capsules
from hygie.library.content import CapsuleError, load_capsule_files

SHIPPED = Path(settings.BASE_DIR) / "content" / "capsules" / "fr"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two shipped capsules in a directory of the test's own."""
    (tmp_path / "fr").mkdir()
    for path in sorted(SHIPPED.glob("*.md"))[:2]:
        shutil.copy(path, tmp_path / "fr" / path.name)
    return tmp_path


@pytest.fixture
def parses(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    real = capsules.parse

    def counting(path: Path) -> capsules.CapsuleFile:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(capsules, "parse", counting)
    return seen


def test_unchanged_files_are_not_parsed_again(library, parses):
    first = load_capsule_files(library)
    second = load_capsule_files(library)
    assert [c.meta["slug"] for c in first] == [c.meta["slug"] for c in second]
    assert len(parses) == 2  # the two files, once


def test_a_changed_text_is_read_again_even_at_the_same_size(library, parses):
    load_capsule_files(library)
    path = sorted((library / "fr").glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    # The same size, another letter in the body: only the digest tells them apart.
    at = text.rindex("e")
    changed = text[:at] + "a" + text[at + 1 :]
    path.write_text(changed, encoding="utf-8")
    assert path.stat().st_size == len(text.encode())
    reloaded = load_capsule_files(library)
    assert len(parses) == 4
    assert next(c for c in reloaded if c.path == path).checksum != capsules.checksum(text)


def test_each_caller_gets_its_own_copy(library):
    first = load_capsule_files(library)
    first[0].meta["title"] = "Changé par un appelant"
    first[0].meta["quiz"].clear()
    again = load_capsule_files(library)
    assert again[0].meta["title"] != "Changé par un appelant"
    assert again[0].meta["quiz"]


def test_a_failed_reading_is_not_kept(library, parses):
    broken = library / "fr" / "cassee.md"
    broken.write_text("pas de front matter\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CapsuleError, match=r"cassee\.md"):
            load_capsule_files(library)
    assert parses.count(broken) == 2
