"""Every URL, as a signed-in administrator and as a stranger, survives hostile parameters.

Non-integers where integers are expected, integers too large for any column, repeated
parameters, unicode, NUL bytes and empty values: the answer may be a 4xx or the page
ignoring the value, never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

HUGE = str(2**70)
ROOT = Path(__file__).resolve().parents[2]
# Parameter names the views and their filter forms read, found in the code, plus the
# forms' fields that are not read by name.
FORM_FIELDS = {
    "q", "departement", "profession", "status", "departements", "specialties", "professions",
    "practice_ids", "tags", "statuses", "joined_after", "joined_before", "never_read_capsule",
    "clicked_last_simulation", "decouverte", "heure", "organisation", "id", "token", "lang",
}  # fmt: skip
HOSTILE_VALUES = ["abc", HUGE, "-1", "", "é\u202e💥", "\x00", "1.5", "2026-02-30"]


def parameter_names() -> list[str]:
    names = set(FORM_FIELDS)
    pattern = re.compile(r"GET(?:\.get|\.getlist)?\(?\[?[\"'](\w+)[\"']")
    for source in (ROOT / "hygie").rglob("*.py"):
        if "tests" not in source.parts:
            names.update(pattern.findall(source.read_text(encoding="utf-8")))
    return sorted(names)


NAMES = parameter_names()


def queries() -> Iterator[tuple[str, str]]:
    for value in HOSTILE_VALUES:
        yield f"value {value!r}", urlencode([(n, value) for n in NAMES])
    yield "arrays", urlencode([(n, v) for n in NAMES for v in ("1", "abc", HUGE)])
    yield "brackets", urlencode([(f"{n}[]", "1") for n in NAMES])


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, dict[str, object]]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            yield route, converters


ARGUMENT_VALUES = {
    "IntConverter": ["1", HUGE],
    "StringConverter": ["x" * 27, "é💥"],
    "SlugConverter": ["nope", "x" * 300],
    "PathConverter": ["x/y"],
    "UUIDConverter": ["00000000-0000-0000-0000-000000000000"],
}


def concrete_paths(urlconf: str) -> list[str]:
    """Every route of `urlconf`, each argument filled with awkward but well-formed values."""
    paths: set[str] = set()
    for route, converters in _walk(get_resolver(urlconf)):
        if route.startswith(("admin/", "i18n/")) or "^" in route:
            continue
        candidates = [route]
        for name, converter in converters.items():
            values = ARGUMENT_VALUES.get(type(converter).__name__, ["1"])
            placeholder = re.compile(rf"<(?:\w+:)?{name}>")
            candidates = [placeholder.sub(value, c) for c in candidates for value in values]
        paths.update("/" + c for c in candidates if "<" not in c)
    return sorted(paths)


def check(client: Client, paths: list[str], **extra: str) -> list[str]:
    failures = []
    for path in paths:
        for label, query in queries():
            response = client.get(f"{path}?{query}", **extra)
            if response.status_code >= 500:
                failures.append(f"{path} ({label}): {response.status_code}")
    return failures


@pytest.fixture
def no_raise(client: Client) -> Client:
    """Server errors are answered as pages, as in production, rather than raised."""
    client.raise_request_exception = False
    return client


# The console walk is the longest test of the fast suite: in parts, the two test workers
# share it.
PARTS = 4


@pytest.mark.slow  # walks every console URL (see hygie/testing/selection.py)
@pytest.mark.parametrize("part", range(PARTS))
def test_console_pages_as_administrator(no_raise, console, admin, organisation, part):
    client = console(admin)
    paths = [p for p in concrete_paths(settings.ROOT_URLCONF) if p.startswith("/console/")]
    assert len(paths) > 50
    assert check(client, paths[part::PARTS]) == []


@pytest.mark.slow  # walks every public URL
def test_public_pages_as_a_stranger(no_raise, db, organisation):
    paths = [p for p in concrete_paths(settings.ROOT_URLCONF) if not p.startswith("/console/")]
    assert check(no_raise, paths) == []


@pytest.mark.slow  # walks every tracking URL
def test_tracking_host_pages_as_a_stranger(no_raise, db, organisation):
    paths = concrete_paths(settings.TRACKING_URLCONF)
    host = settings.TRACKING_HOSTS[0]
    assert check(no_raise, paths, HTTP_HOST=host) == []


def test_a_huge_practice_number_in_a_segment_count_is_a_form_error(console, admin):
    from django.urls import reverse

    response = console(admin).get(
        reverse("audience:segment_count") + f"?practice_ids={HUGE}&practice_ids=abc"
    )
    assert response.status_code == 400
    assert "practice_ids" in response.json()["errors"]
