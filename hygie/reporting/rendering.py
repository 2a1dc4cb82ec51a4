"""Showing a reported message to a handler without letting it do anything.

The HTML is cleaned by nh3 down to text-formatting tags: no link (its text stays,
its address is listed apart as plain text), no image or other remote content, no
style, script, form or frame. The console's CSP would block remote loads anyway;
this makes sure nothing is even attempted and nothing can be clicked.
"""

from __future__ import annotations

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
