"""Every content type has one shape (hygie.lib.content): `load_<kind>_files(directory)` reads
and validates, `<kind>_sync(directory=…)` saves, a command runs both, and a broken file is
refused with a `ContentError` that names the file and the field, saving nothing."""

from __future__ import annotations

import importlib
import inspect
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from hygie.lib.content import ContentError
from hygie.library.models import Capsule
from hygie.phishing.models import KnownScanner, Scenario

CONTENT = Path(settings.BASE_DIR) / "content"

# content/<directory>: (module, reader, writer, command); the incident guidance is read
# from its files at start, so it has no writer, and its command only checks the files.
CONTENT_TYPES = {
    "capsules": ("hygie.library.content", "load_capsule_files", "capsules_sync", "load_library"),
    "scenarios": (
        "hygie.phishing.content.scenarios",
        "load_scenario_files",
        "scenarios_sync",
        "load_scenarios",
    ),
    "scanners": (
        "hygie.phishing.content.scanners",
        "load_scanner_files",
        "scanners_sync",
        "load_scanners",
    ),
    "incidents": ("hygie.incidents.content", "load_guidance_files", None, "check_guidance"),
}


def test_every_content_directory_has_a_loader_of_the_one_shape():
    assert {p.name for p in CONTENT.iterdir() if p.is_dir()} == set(CONTENT_TYPES)
    for module_name, reader, writer, _command in CONTENT_TYPES.values():
        assert module_name.split(".")[2] == "content"
        module = importlib.import_module(module_name)
        assert list(inspect.signature(getattr(module, reader)).parameters) == ["directory"]
        if writer:
            parameters = inspect.signature(getattr(module, writer)).parameters
            assert [p.kind for p in parameters.values()] == [inspect.Parameter.KEYWORD_ONLY]
            assert list(parameters) == ["directory"]


def test_the_shipped_files_are_valid():
    for module_name, reader, _writer, _command in CONTENT_TYPES.values():
        module = importlib.import_module(module_name)
        directory = CONTENT / next(k for k, v in CONTENT_TYPES.items() if v[0] == module_name)
        assert getattr(module, reader)(directory)


BROKEN = {
    "capsules": ("fr/bad.md", "---\nslug: bad\n---\nTexte.\n", "fr/bad.md", "title"),
    "scenarios": ("fr/bad.yaml", "slug: bad\n", "fr/bad.yaml", "'version'"),
    "scanners": ("bad.yaml", "families: []\n", "bad.yaml", "'reviewed'"),
}
MODELS = {"capsules": Capsule, "scenarios": Scenario, "scanners": KnownScanner}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_file_is_refused_naming_the_file_and_the_field(tmp_path, kind):
    name, text, file_label, field = BROKEN[kind]
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    module_name, reader, _writer, command = CONTENT_TYPES[kind]
    with pytest.raises(ContentError) as error:
        getattr(importlib.import_module(module_name), reader)(tmp_path)
    assert any(file_label in p and field in p for p in error.value.problems)
    before = MODELS[kind].objects.count()
    with pytest.raises(CommandError, match=file_label.replace(".", r"\.")):
        call_command(command, directory=str(tmp_path))
    assert MODELS[kind].objects.count() == before


def test_broken_guidance_is_refused_naming_the_file_and_the_entry(tmp_path):
    from hygie.incidents.content import load_guidance_files

    for path in (CONTENT / "incidents").glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    contacts = tmp_path / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8") + "  - id: broken\n    channel: pigeon\n"
    contacts.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_guidance_files(tmp_path)
    assert any(p.startswith("contacts.yaml") and "broken" in p for p in error.value.problems)
    with pytest.raises(CommandError, match=r"contacts\.yaml: contact 'broken'"):
        call_command("check_guidance", directory=str(tmp_path))
    (tmp_path / "sources.yaml").unlink()
    with pytest.raises(ContentError, match=r"sources\.yaml: cannot be read"):
        load_guidance_files(tmp_path)


def test_the_guidance_command_checks_the_shipped_files():
    out = io.StringIO()
    call_command("check_guidance", stdout=out)
    assert out.getvalue().startswith("Incident guidance: ")
    assert " questions, " in out.getvalue() and out.getvalue().rstrip().endswith("valid.")
