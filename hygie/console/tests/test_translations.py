"""The French catalogue is complete, and every template and string loads in both languages."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po")
    )


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = catalogue("fr")
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries() if e.msgid] == []


def test_french_placeholders_match_the_english_ones():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for entry in catalogue("fr").translated_entries():
        if entry.msgstr:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), (
                entry.msgid
            )


def test_both_catalogues_parse_and_hold_the_same_entries_once():
    """Entries added on two branches can be merged badly (a msgid losing its msgstr, an
    entry twice): both catalogues must parse and list the same messages exactly once."""
    keys = {}
    for language in ("fr", "en"):
        entries = [(e.msgctxt, e.msgid) for e in catalogue(language) if not e.obsolete]
        duplicated = {key for key in entries if entries.count(key) > 1}
        assert duplicated == set(), (language, duplicated)
        keys[language] = set(entries)
    assert keys["fr"] - keys["en"] == set()
    assert keys["en"] - keys["fr"] == set()
