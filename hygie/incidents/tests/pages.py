"""Reading an outcome page as a practitioner does: which duties are due, to check, not required."""

from __future__ import annotations

import html
import re

SECTIONS = {
    "due": "assistant-obligations",
    "to_check": "assistant-to-check",
    "not_required": "assistant-not-required",
}


def section(content: str, name: str) -> str:
    """The HTML of one list of duties on the page ("" when the page has none)."""
    match = re.search(rf'<ul class="plain-list {SECTIONS[name]}">(.*?)</ul>', content, re.S)
    return match.group(1) if match else ""


def duties(content: str, name: str) -> list[str]:
    """The obligation ids listed in a section, in order."""
    return re.findall(r'data-obligation="([a-z0-9_]+)"', section(content, name))


def dated(content: str) -> list[str]:
    """The obligations shown as due with a computed date."""
    found = []
    pattern = r'<li class="card" data-obligation="([a-z0-9_]+)">(.*?)</li>'
    for ident, body in re.findall(pattern, section(content, "due"), re.S):
        if "<time" in body:
            found.append(ident)
    return found


def text(content: str) -> str:
    """The visible text of a page, on single spaces, entities decoded."""
    without_tags = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(without_tags).split())
