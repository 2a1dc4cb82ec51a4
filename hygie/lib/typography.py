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
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # « guillemets » hold narrow no-break spaces.
    (re.compile(rf"«{_SPACES}*"), f"«{NNBSP}"),
    (re.compile(rf"{_SPACES}*»"), f"{NNBSP}»"),
    # ; ! ? take a narrow no-break space, added when missing before a word's end.
    (re.compile(rf"{_SPACES}+([;!?])"), rf"{NNBSP}\1"),
    (re.compile(r"(?<=[\w»)\]])([;!?]+)(?=\s|$|[»\"'’)<])"), rf"{NNBSP}\1"),
    # : takes a no-break space (not in "10:30", "https://", "a:b").
    (re.compile(rf"{_SPACES}+:(?=\s|$)"), f"{NBSP}:"),
    (re.compile(r"(?<=[\w»)\]])(:)(?=\s|$)"), f"{NBSP}:"),
    # Numbers: groups of three digits stay together; units stay with their number.
    (re.compile(rf"(?<=\d){_SPACES}(?=\d{{3}}(?!\d))"), NNBSP),
    (
        re.compile(
            rf"(?<=\d){_SPACES}(?=(?:€|%|‰|\$|£|EUR\b|euros?\b|h\b|min\b|km\b|"
            r"ko\b|Mo\b|Go\b|To\b|ans?\b|jours?\b|mois\b|semaines?\b|heures?\b|minutes?\b))"
        ),
        NBSP,
    ),
)
_ENTITY_OR_URL = re.compile(r"(&#?[A-Za-z0-9]+;|\b(?:https?|mailto|tel):[^\s<>\"]+)")


def french_text(text: str) -> str:
    """Plain French text with its typography."""
    parts = _ENTITY_OR_URL.split(contract(text))
    for index in range(0, len(parts), 2):  # even: text; odd: an entity or a URL
        piece = parts[index]
        for pattern, replacement in _RULES:
            piece = pattern.sub(replacement, piece)
        parts[index] = piece
    return "".join(parts)


_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_RAW = ("script", "style", "pre", "code", "textarea")


def french_html(html: str) -> str:
    """An HTML document or fragment with French typography in its text only."""
    pieces = _TAG.split(html)
    raw_depth = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag or a comment
            name = re.match(r"</?\s*([A-Za-z0-9]+)", piece)
            if name and name.group(1).lower() in _RAW:
                raw_depth += -1 if piece.startswith("</") else 1
                raw_depth = max(raw_depth, 0)
            continue
        if raw_depth == 0 and piece:
            pieces[index] = french_text(piece)
    return "".join(pieces)
