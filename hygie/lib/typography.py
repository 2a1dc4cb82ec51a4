"""French typography for everything Hygie writes in French: pages, emails, PDFs.

- a narrow no-break space (U+202F) before ; ! ? and inside « »,
- a no-break space (U+00A0) before :,
- no-break spaces inside numbers ("1 962,00") and between a number and its unit,
  currency or percent sign ("1 962,00 €", "95 %", "3 min"),
- the contractions before names ("de le Conseil" → "du Conseil", see lib.french).

Only text is touched: never a tag or its attributes, nor the content of script, style,
pre, code or textarea, nor an entity, a URL or a time ("10:30"), so that the filter can
run over a whole page.
"""

from __future__ import annotations

import re

from hygie.lib.french import contract

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"

_SPACES = f"[ {NBSP}{NNBSP}]"
# Each group of rules with what its rules need (a character of a kind): a text without
# it is not read by them (most text of a page has none, and the filter runs on every
# page).
_RULES: tuple[tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]], ...] = (
    (
        re.compile("[«»]"),
        (
            # « guillemets » hold narrow no-break spaces.
            (re.compile(rf"«{_SPACES}*"), f"«{NNBSP}"),
            (re.compile(rf"{_SPACES}*»"), f"{NNBSP}»"),
        ),
    ),
    (
        re.compile("[;!?]"),
        (
            # ; ! ? take a narrow no-break space, added when missing before a word's end.
            (re.compile(rf"{_SPACES}+([;!?])"), rf"{NNBSP}\1"),
            (re.compile(r"(?<=[\w»)\]])([;!?]+)(?=\s|$|[»\"'’)<])"), rf"{NNBSP}\1"),
        ),
    ),
    (
        re.compile(":"),
        (
            # : takes a no-break space (not in "10:30", "https://", "a:b").
            (re.compile(rf"{_SPACES}+:(?=\s|$)"), f"{NBSP}:"),
            (re.compile(r"(?<=[\w»)\]])(:)(?=\s|$)"), f"{NBSP}:"),
        ),
    ),
    (
        re.compile(r"\d"),  # any digit, as in the rules
        (
            # Numbers: groups of three digits stay together; units stay with their number.
            (re.compile(rf"(?<=\d){_SPACES}(?=\d{{3}}(?!\d))"), NNBSP),
            (
                re.compile(
                    rf"(?<=\d){_SPACES}(?=(?:€|%|‰|\$|£|EUR\b|euros?\b|h\b|min\b|km\b|"
                    r"ko\b|Mo\b|Go\b|To\b|ans?\b|jours?\b|mois\b|semaines?\b|heures?\b|"
                    r"minutes?\b))"
                ),
                NBSP,
            ),
        ),
    ),
)
_ENTITY_OR_URL = re.compile(r"(&#?[A-Za-z0-9]+;|\b(?:https?|mailto|tel):[^\s<>\"]+)")


def french_text(text: str) -> str:
    """Plain French text with its typography."""
    parts = _ENTITY_OR_URL.split(contract(text))
    for index in range(0, len(parts), 2):  # even: text; odd: an entity or a URL
        piece = parts[index]
        for needed, rules in _RULES:
            if needed.search(piece):
                for pattern, replacement in rules:
                    piece = pattern.sub(replacement, piece)
        parts[index] = piece
    return "".join(parts)


_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z0-9]+)")
_RAW = ("script", "style", "pre", "code", "textarea")


def french_html(html: str) -> str:
    """An HTML document or fragment with French typography in its text only."""
    pieces = _TAG.split(html)
    raw_depth = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag or a comment
            name = _TAG_NAME.match(piece)
            if name and name.group(1).lower() in _RAW:
                raw_depth += -1 if piece.startswith("</") else 1
                raw_depth = max(raw_depth, 0)
            continue
        if raw_depth == 0 and piece and not piece.isspace():
            pieces[index] = french_text(piece)
    return "".join(pieces)
