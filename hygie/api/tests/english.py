"""Finding English in a French answer of the API: a sentence of the English catalogue, a
sentence of pydantic's own messages, or an English word that French text never has."""

from __future__ import annotations

import re
import typing
from functools import cache

from pydantic_core import PydanticKnownError, core_schema

from hygie.console.tests.test_nothing_english import english_sentences

# Words of pydantic's messages and of English running text, never in French.
_ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|this|that|of|to|is|are|has|have|should|must|input|field|required"
    r"|valid|value|string|integer|number|characters?|items?|least|most|greater|less|than"
    r"|equal|expected|list|object|parse|unable|allowed|extra|forbidden|after|validation)\b",
    re.I,
)
# A field's name, quoted as the caller wrote it: an identifier, not a sentence.
_QUOTED = re.compile(r"«[^»]*»")
_NEEDED = re.compile(r"'(\w+)' (required in context|context value must be a String)")


def known_error(kind: str) -> PydanticKnownError:
    """pydantic's error of this type, with made-up context values where it needs some."""
    context: dict[str, object] = {}
    while True:
        try:
            return PydanticKnownError(kind, context or None)  # type: ignore[arg-type]
        except TypeError as exc:
            needed = _NEEDED.search(str(exc))
            assert needed, exc
            context[needed.group(1)] = "x" if "String" in needed.group(2) else 7


ERROR_TYPES: tuple[str, ...] = typing.get_args(core_schema.ErrorType)


@cache
def english_pieces() -> tuple[str, ...]:
    """Fixed text of the catalogue's English and of every pydantic message template."""
    pieces = list(english_sentences())
    for kind in ERROR_TYPES:
        for piece in re.split(r"\{\w+\}", known_error(kind).message_template):
            piece = piece.strip(" .,:;!?()'")
            if len(piece.split()) >= 2:
                pieces.append(piece)
    return tuple(pieces)


def english_in(text: str) -> list[str]:
    """What in `text` is English (empty when the text is French)."""
    text = _QUOTED.sub("«»", text)
    found = [piece for piece in english_pieces() if piece in text]
    found += [match.group(0) for match in _ENGLISH_WORDS.finditer(text)]
    return found
