"""The documented layering, as a test: "may I import this?" is answered here.

Apps sit in layers (docs/architecture.md). An app imports only from lower layers, and
from another app only its `models`, `services` and `selectors`, plus the modules that app
declares public below (each with the reason). Anything else is listed as an exception
with its reason, so that a new one is a visible decision rather than an accident.
Tests, migrations, `hygie.lib` and `hygie.testing` are outside the rule.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

HYGIE = Path(__file__).resolve().parents[1]

# Lower layers first; apps of one layer never import each other.
LAYERS: list[set[str]] = [
    {"accounts"},
    {"operations"},
    {"audience"},
    {"library"},
    {"delivery"},
    {"awareness", "phishing", "incidents"},
    {"reporting", "portal"},
    {"analytics"},
    {"console"},
    {"api"},
]
LAYER = {app: index for index, apps in enumerate(LAYERS) for app in apps}

ALWAYS_PUBLIC = {"models", "services", "selectors"}

# Modules an app offers to the apps above it, beyond models, services and selectors.
DECLARED_PUBLIC: dict[str, dict[str, str]] = {
    "accounts": {
        "access": "the only way views reach tenant data (console_view, get_for_organisation)",
        "actors": "who does a change and from where: what every service takes for its audit",
        "audit": "every service records its change in the audit log",
        "roles": "permissions that views ask for",
        "urls": "the team pages, mounted by the console shell under their console: names",
    },
    "operations": {
        "schedule": "registries of periodic work, due-work sources and worker steps",
        "snapshots": "kept figures: apps register their computations",
        "loop": "the worker loop's isolation of one failing step",
        "spool": "the tracking spool kept during a database outage",
    },
    "library": {
        "enrolment": "the registry through which a simulation enrols people in a capsule",
        "themes": "the list of themes shared by capsules, scenarios and results",
        "urls": "the capsule editor, mounted by the console shell under its console: names",
    },
    "delivery": {
        "sending": "launching a mailing and the sending of its messages",
        "placeholders": "the placeholders a message may use, shared by every sender",
        "windows": "sending windows, shown and edited by campaign forms",
        "hosts": "tracking host names of an organisation",
        "attachments": "attachments rendered per recipient",
        "headers": "the extra headers a mailing or a delivery may carry (RFC 3834, threading)",
    },
    "audience": {
        "values": "the cleaning of member-file values, reused by public forms",
        "exports": "the formula-guarded CSV and XLSX writers every export uses",
    },
    "awareness": {
        "programme": "the programme's theme-ranker registry, which analytics fills",
    },
    "incidents": {
        "content": "the loaded decision tree: outcome titles for figures and the demo",
    },
    "phishing": {
        "reports": "recording a reported exercise, called by the report mailbox",
        "teaching": "an exercise's explanation, shown again in the personal space",
    },
}

# Imports outside the rule above, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The demo assembles every app's sample data in one command.
    ("console", "audience.demo"): "demo data",
    ("console", "phishing.demo"): "demo data",
    ("console", "incidents.assistant"): "demo data walks the assistant",
    ("reporting", "incidents.antispam"): "the public SMS report page reuses the incident "
    "rate limit (a shared limit belongs in hygie.lib)",
}


def imports_of(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hygie."):
            if node.module.count(".") == 1:  # from hygie.app import module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("hygie."))


@functools.cache
def cross_app_imports() -> tuple[tuple[str, str, str, Path], ...]:
    """(importing app, imported app, imported module, file) for each import between apps;
    read once for the tests below (parsing every module takes a second)."""
    return tuple(_cross_app_imports())


def _cross_app_imports() -> Iterator[tuple[str, str, str, Path]]:
    for path in sorted(HYGIE.rglob("*.py")):
        parts = path.relative_to(HYGIE).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts:
            continue
        source = parts[0]
        if source not in LAYER:
            continue
        for name in imports_of(path):
            pieces = name.split(".")
            if len(pieces) < 3 or pieces[1] == source or pieces[1] not in LAYER:
                continue
            yield source, pieces[1], pieces[2], path


def test_every_app_has_a_layer():
    apps = {p.name for p in HYGIE.iterdir() if (p / "apps.py").exists()}
    assert apps == set(LAYER)


def test_imports_go_down_the_layers_only():
    upward = sorted(
        f"{path.relative_to(HYGIE.parent)}: {source} imports {target}"
        for source, target, _module, path in cross_app_imports()
        if LAYER[target] >= LAYER[source] and (source, f"{target}.{_module}") not in EXCEPTIONS
    )
    assert upward == []


def test_other_apps_use_only_what_an_app_makes_public():
    reaching_in = sorted(
        f"{path.relative_to(HYGIE.parent)}: {source} imports {target}.{module}"
        for source, target, module, path in cross_app_imports()
        if module not in ALWAYS_PUBLIC
        and module not in DECLARED_PUBLIC.get(target, {})
        and (source, f"{target}.{module}") not in EXCEPTIONS
    )
    assert reaching_in == []


def test_every_declared_exception_is_still_needed():
    used = {(source, f"{target}.{module}") for source, target, module, _ in cross_app_imports()}
    assert set(EXCEPTIONS) - used == set()


# Pages: `views/console.py` (staff console) and `views/public.py` (no staff account), each
# routed by the module of the same name in `urls/`. A module too big for one file becomes
# a package of the same name (`views/console/…`).
PAGE_SIDES = {"console", "public"}
PAGE_MODULE = re.compile(r"(^|_)(views|urls)(_|$)")


def _sides(package: Path) -> set[str]:
    return {p.stem for p in package.iterdir() if p.name != "__init__.py" and p.name[0] not in "._"}


def test_every_app_keeps_its_pages_in_views_and_urls_packages():
    misplaced = []
    for app in sorted(LAYER):
        root = HYGIE / app
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).parts
            if parts[0] in {"tests", "migrations"}:
                continue
            if parts[0] in {"views", "urls"}:
                if len(parts) > 1 and parts[1].removesuffix(".py") not in PAGE_SIDES | {"__init__"}:
                    misplaced.append(f"{app}/{'/'.join(parts)}")
            elif PAGE_MODULE.search(path.stem):
                misplaced.append(f"{app}/{'/'.join(parts)}")
        views, urls = root / "views", root / "urls"
        has_pages = views.exists() or urls.exists()
        if has_pages and (not (views.is_dir() and urls.is_dir()) or _sides(views) != _sides(urls)):
            misplaced.append(f"{app}: views/ and urls/ do not have the same sides")
    assert misplaced == []
