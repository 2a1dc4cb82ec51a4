"""Pages of the tracking host, rendered once per process and filled in per hit.

A click answers with a page that is the same for every recipient of a scenario but
for a few strings: the person's own message in the explanation, the address of their
link's page-side check. Rendering the template on every hit cost as much as recording
the hit (profiled), so each page is rendered once with markers in place of those
strings, kept like the campaigns (a few seconds, see lookup.py), and filled in per
hit. Filling escapes a value exactly as the template would have: as is when it is
marked safe, HTML-escaped otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from hygie.lib.kept import Kept

# Private-use characters: in no template, translation or authored scenario.
_MARK = "\ue000"
_MARKER = re.compile(f"{_MARK}([a-z_]+){_MARK}")

# As long as the campaigns the pages show (lookup.py).
_PAGES: Kept[tuple[Hashable, ...], list[str]] = Kept(seconds=30.0, most=2000)


def marker(name: str) -> str:
    """What the template receives in place of the per-hit value `name`."""
    return f"{_MARK}{name}{_MARK}"


def render(
    request: HttpRequest,
    template: str,
    context: Mapping[str, object],
    *,
    key: tuple[Hashable, ...],
    fill: Mapping[str, str],
) -> HttpResponse:
    """The page `template` for this hit. `context` must be the same for every hit
    under `key` (the language is added to it), with `marker(name)` where the hit's
    own values go; `fill` gives those values."""
    pieces = _pieces(request, template, context, (template, get_language(), *key))
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(piece)
        else:
            out.append(str(conditional_escape(fill[piece])) if piece in fill else marker(piece))
    return HttpResponse("".join(out))


def _pieces(
    request: HttpRequest,
    template: str,
    context: Mapping[str, object],
    key: tuple[Hashable, ...],
) -> list[str]:
    """The rendered page split at its markers: text, name, text, name, ..., text."""
    return _PAGES.get(
        key, lambda: _MARKER.split(render_to_string(template, dict(context), request))
    )


def forget_pages() -> None:
    """Empty this process's pages (with the campaigns they show)."""
    _PAGES.forget()
