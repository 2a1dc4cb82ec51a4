"""Every shipped capsule obeys the schema; loading is idempotent and versioned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hygie.library.content import CapsuleError, capsule_files, capsules_sync, parse, problems
from hygie.library.models import Capsule
from hygie.library.themes import THEMES


@pytest.mark.parametrize("path", capsule_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_shipped_capsule_is_valid(path):
    assert problems(parse(path)) == []


def test_the_library_covers_the_required_themes_in_both_languages():
    files = capsule_files()
    french = {parse(p).meta["theme"] for p in files if p.parent.name == "fr"}
    english = {parse(p).meta["slug"] for p in files if p.parent.name == "en"}
    assert len([p for p in files if p.parent.name == "fr"]) >= 12
    assert french == set(THEMES)
    assert english == {p.stem for p in files if p.parent.name == "fr"}


def test_loading_is_idempotent(db):
    first = capsules_sync()
    assert first["created"] == len(capsule_files())
    assert capsules_sync() == {"created": 0, "unchanged": first["created"]}
    capsule = Capsule.objects.get(slug="sauvegardes", language="fr")
    assert "<h2" in capsule.body_html and "<script" not in capsule.body_html


def copy_library(tmp_path: Path) -> Path:
    root = tmp_path / "capsules"
    shutil.copytree(Path(capsule_files()[0]).parent.parent, root)
    return root


def test_a_changed_text_needs_a_new_version(db, tmp_path):
    root = copy_library(tmp_path)
    capsules_sync(directory=root)
    path = root / "fr" / "sauvegardes.md"
    path.write_text(path.read_text().replace("3-2-1", "3-2-1 (trois-deux-un)", 1))
    with pytest.raises(CapsuleError, match="increase the version"):
        capsules_sync(directory=root)
    version = parse(path).meta["version"]
    path.write_text(path.read_text().replace(f"version: {version}", f"version: {version + 1}", 1))
    assert capsules_sync(directory=root)["created"] == 1
    assert Capsule.objects.filter(slug="sauvegardes", language="fr").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("theme: backups", "theme: astrology"), "unknown theme"),
        (("    correct: true\n", "    correct: false\n"), "no right answer"),
        (("    explanation: ", '    explanation: "" #'), "missing explanation"),
        (("reading_minutes: 3", "reading_minutes: 9"), "reading_minutes"),
    ],
)
def test_broken_capsules_are_refused(tmp_path, change, message):
    root = copy_library(tmp_path)
    path = root / "fr" / "sauvegardes.md"
    text = path.read_text()
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1]))
    assert any(message in p for p in problems(parse(path)))


@pytest.mark.parametrize(
    "url",
    [
        "https://fr.scribd.com/document/446625605/AppareilsMobiles",
        "https://cnil.fr./fr/cnil-direct/question/x",
        "http://www.cnil.fr/fr/notifier",
        "https://www.cnil.fr.example.com/fr/notifier",
    ],
)
def test_a_shown_source_must_be_an_official_text(tmp_path, url):
    root = copy_library(tmp_path)
    path = root / "fr" / "sauvegardes.md"
    text = path.read_text()
    first = parse(path).meta["sources"][0]["url"]
    path.write_text(text.replace(f'url: "{first}"', f'url: "{url}"', 1))
    assert any("move it to research_notes" in p for p in problems(parse(path)))


def test_research_notes_are_never_shown(db, client, tmp_path):
    capsules_sync()
    capsule = Capsule.objects.get(slug="rancongiciel-premiere-heure", language="fr")
    notes = parse(Path(capsule_files()[0]).parent.parent / "fr" / f"{capsule.slug}.md").meta[
        "research_notes"
    ]
    assert notes
    shown = {s["url"] for s in capsule.sources}
    assert all(note["url"] not in shown for note in notes)
    assert "DM Experts" not in str(capsule.sources) and "poster link" not in str(capsule.sources)


@pytest.mark.parametrize("path", capsule_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_shipped_capsule_names_the_facts_it_relies_on(path):
    keys = parse(path).meta.get("fact_keys")
    assert keys and all(isinstance(key, str) and key.strip() for key in keys)
