"""Showing a reported message to a handler without letting it do anything.

The HTML is cleaned by nh3 down to text-formatting tags: no link (its text stays,
its address is listed apart as plain text), no image or other remote content, no
style, script, form or frame. The console's CSP would block remote loads anyway;
this makes sure nothing is even attempted and nothing can be clicked.
"""

from __future__ import annotations

import re

import nh3

from hygie.reporting.authentication import authentication_results

SAFE_TAGS = {
    "p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup",
    "ul", "ol", "li", "blockquote", "pre", "code", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
}  # fmt: skip


def safe_html(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=SAFE_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        attributes={},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    )


SHOWN_HEADERS = ("from", "reply-to", "return-path", "to", "date", "subject", "message-id")


def header_summary(headers: list[list[str]]) -> dict[str, object]:
    """The headers worth reading first, and the authentication verdicts."""
    pairs = [(str(name), str(value)) for name, value in headers]
    return {
        "main": [(name, value) for name, value in pairs if name.lower() in SHOWN_HEADERS],
        "received_count": sum(1 for name, _value in pairs if name.lower() == "received"),
        "authentication": authentication_results(pairs),
        "all": pairs,
    }


_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Pressure words lures lean on, marked for the reader of the annotated text.
_PRESSURE = re.compile(
    r"\b(?:urgent\w*|imm[ée]diat\w*|sans d[ée]lai|sous \d+\s*(?:h|heures?|jours?)|"
    r"dernier rappel|suspendu\w*|bloqu[ée]\w*|cl[ôo]tur[ée]\w*|expir\w*|"
    r"within \d+ (?:hours?|days?)|immediately|suspended|final notice)\b",
    re.IGNORECASE,
)


def defang(url: str) -> str:
    """An address that no reader or mail client turns back into a link."""
    text = re.sub(r"^http", "hxxp", url, flags=re.IGNORECASE)
    return text.replace(".", "[.]").replace("://", "[://]")


def annotate(text: str) -> list[tuple[str, str]]:
    """The lure's text in pieces: ("text", …), ("link", defanged address) and
    ("pressure", the words that rush the reader)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    marks = sorted(
        [(m.start(), m.end(), "link") for m in _LINK.finditer(text)]
        + [(m.start(), m.end(), "pressure") for m in _PRESSURE.finditer(text)]
    )
    for start, end, kind in marks:
        if start < position:
            continue
        if start > position:
            pieces.append(("text", text[position:start]))
        chunk = text[start:end]
        pieces.append((kind, defang(chunk) if kind == "link" else chunk))
        position = end
    if position < len(text):
        pieces.append(("text", text[position:]))
    return pieces
