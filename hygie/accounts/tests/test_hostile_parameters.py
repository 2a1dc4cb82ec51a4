"""Every URL, as a signed-in administrator and as a stranger, survives hostile parameters.

Non-integers where integers are expected, integers too large for any column, repeated
parameters, unicode, NUL bytes and empty values: the answer may be a 4xx or the page
ignoring the value, never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest
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


class QueryReads:
    """Notes how handling a request read its query string: its parameters
    (`request.GET`), or only the full path or absolute URI that carry it (the language
    switcher's return address, a redirect's `next`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parameters = self.path = False
        reads = self
        parameters = WSGIRequest.GET  # a cached property: noted at its first reading

        class NotedParameters:
            def __get__(self, request: Any, owner: type | None = None) -> Any:
                if request is None:
                    return self
                reads.parameters = True
                return parameters.__get__(request, owner)

        full_path = HttpRequest._get_full_path
        absolute_uri = HttpRequest.build_absolute_uri

        def noted_full_path(request: HttpRequest, *args: Any) -> str:
            reads.path = True
            return full_path(request, *args)

        def noted_absolute_uri(request: HttpRequest, *args: Any) -> str:
            reads.path = True
            return absolute_uri(request, *args)

        monkeypatch.setattr(WSGIRequest, "GET", NotedParameters())
        monkeypatch.setattr(HttpRequest, "_get_full_path", noted_full_path)
        monkeypatch.setattr(HttpRequest, "build_absolute_uri", noted_absolute_uri)

    def forget(self) -> None:
        self.parameters = self.path = False


# What a page that only repeats its address can trip on: characters, not numbers or dates.
ECHOED = {f"value {value!r}" for value in ("é\u202e💥", "\x00")}


def check(client: Client, paths: list[str], reads: QueryReads, **extra: str) -> list[str]:
    """Each path with every hostile query. The first tells what the page reads: one that
    reads its parameters gets every query; one that only repeats its address, those with
    awkward characters; one that reads neither cannot be changed by any other."""
    failures = []
    for path in paths:
        wanted = None
        for label, query in queries():
            if wanted is not None and label not in wanted:
                continue
            reads.forget()
            response = client.get(f"{path}?{query}", **extra)
            if response.status_code >= 500:
                failures.append(f"{path} ({label}): {response.status_code}")
            if wanted is None and not reads.parameters:
                wanted = ECHOED if reads.path else set()
    return failures


@pytest.fixture
def no_raise(client: Client) -> Client:
    """Server errors are answered as pages, as in production, rather than raised."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> QueryReads:
    return QueryReads(monkeypatch)


def test_the_walk_sends_every_query_to_a_page_that_reads_its_parameters(console, admin, reads):
    client = console(admin)
    sent: list[str] = []
    real_get = client.get

    def counting_get(path: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(path.split("?", 1)[0])
        return real_get(path, *args, **kwargs)

    client.get = counting_get  # type: ignore[method-assign]
    people, reference = "/console/audience/", "/console/api/reference/"
    assert check(client, [people, reference], reads) == []
    assert sent.count(people) == len(list(queries()))  # its filters read the parameters
    # The reference only repeats its address (the language switcher's return address).
    assert sent.count(reference) == 1 + len(ECHOED)


# The console walk is the longest test of the fast suite: in parts, the two test workers
# share it.
PARTS = 4


@pytest.mark.slow  # walks every console URL (see hygie/testing/selection.py)
@pytest.mark.parametrize("part", range(PARTS))
def test_console_pages_as_administrator(no_raise, console, admin, organisation, reads, part):
    client = console(admin)
    paths = [p for p in concrete_paths(settings.ROOT_URLCONF) if p.startswith("/console/")]
    assert len(paths) > 50
    assert check(client, paths[part::PARTS], reads) == []


@pytest.mark.slow  # walks every public URL
def test_public_pages_as_a_stranger(no_raise, db, organisation, reads):
    paths = [p for p in concrete_paths(settings.ROOT_URLCONF) if not p.startswith("/console/")]
    assert check(no_raise, paths, reads) == []


@pytest.mark.slow  # walks every tracking URL
def test_tracking_host_pages_as_a_stranger(no_raise, db, organisation, reads):
    paths = concrete_paths(settings.TRACKING_URLCONF)
    host = settings.TRACKING_HOSTS[0]
    assert check(no_raise, paths, reads, HTTP_HOST=host) == []


def test_a_huge_practice_number_in_a_segment_count_is_a_form_error(console, admin):
    from django.urls import reverse

    response = console(admin).get(
        reverse("audience:segment_count") + f"?practice_ids={HUGE}&practice_ids=abc"
    )
    assert response.status_code == 400
    assert "practice_ids" in response.json()["errors"]
