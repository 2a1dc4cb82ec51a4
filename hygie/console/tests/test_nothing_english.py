"""Every console page and every public page, rendered in French, shows no English:
no sentence of the English catalogue left untranslated (plurals included), no English
running text, and no raw code where a person expects a word."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from hygie.accounts.tests.test_access_matrix import CONSOLE_PAGES

# Pages that are not HTML (exports) are read elsewhere.
HTML_PAGES = [(name, args) for name, args, _ in CONSOLE_PAGES if name != "audience:people_export"]
HTML_PAGES = [(name, args) for name, args in HTML_PAGES if name != "analytics:export"]
PUBLIC_PAGES = ["incidents:start", "portal:start", "accounts:login"]

# Not running text: code, and the titles of cited sources (<cite>), quoted as published.
_INVISIBLE = re.compile(r"<(script|style|code|pre|textarea|cite)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
# Words that French running text never has: an English sentence left on a page.
_ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|your|you|this|these|that|of|to|is|are|was|were|has|have|no longer"
    r"|people|person|sent|hits?|showed|median|window|channel|start|end)\b"
)
# A code shown as it is stored ("credential_form", "qr_code"), outside {{ placeholders }}.
_CODE = re.compile(r"(?<![{\w])[a-z]+(?:_[a-z]+)+\b(?![^{]*}})")


def visible_text(page: str) -> str:
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", page))
    return " ".join(html.unescape(text).split())


def english_sentences() -> list[str]:
    """The English messages of the catalogue that French translates differently."""
    path = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    found = []
    for entry in polib.pofile(str(path)):
        for english, french in [(entry.msgid, entry.msgstr)] + (
            [(entry.msgid_plural, entry.msgstr_plural.get(1, ""))] if entry.msgid_plural else []
        ):
            # Fixed text around the %(placeholders)s, long enough to be a sentence.
            for piece in re.split(r"%\(\w+\)[sd]|\{\{.*?\}\}", english):
                piece = piece.strip(" .,:;!?()—–-")
                if len(piece.split()) >= 3 and piece not in french:
                    found.append(piece)
    return found


ENGLISH = english_sentences()


def problems(page: str) -> list[str]:
    text = visible_text(page)
    found = [f"untranslated: {s!r}" for s in ENGLISH if s in text]
    found += [
        f"English word {m.group(0)!r} in …{text[max(m.start() - 40, 0) : m.end() + 40]}…"
        for m in _ENGLISH_WORDS.finditer(text)
    ]
    found += [f"raw code {m.group(0)!r}" for m in _CODE.finditer(text)]
    return found


@pytest.mark.parametrize(("name", "args"), HTML_PAGES)
def test_console_pages_are_all_french(console, admin, name, args):
    client = console(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert problems(response.content.decode()) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_all_french(client, db, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert problems(response.content.decode()) == []


def test_the_check_finds_english():
    page = "<p>Bonjour</p><p>9 hits showed the same pattern</p><td>credential_form</td>"
    found = problems(page)
    assert any("hits" in p for p in found) and any("credential_form" in p for p in found)


def test_every_french_plural_has_its_three_forms():
    """French has three plural forms here (see the catalogue's Plural-Forms): a missing
    one falls back to English for the numbers that use it."""
    path = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    incomplete = [
        entry.msgid
        for entry in polib.pofile(str(path))
        if entry.msgid_plural and not all(entry.msgstr_plural.get(n) for n in (0, 1, 2))
    ]
    assert incomplete == []
