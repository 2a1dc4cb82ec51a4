"""French grammar around names: an organisation's article, and the contractions that
French requires after "de" and "à" ("de le Conseil" → "du Conseil", "à les Médecins"
→ "aux Médecins", "de URPS Démo" → "d'URPS Démo").
"""

from __future__ import annotations

import re

ARTICLES = ("", "le", "la", "l'", "les")


def with_article(name: str, article: str) -> str:
    """ "URPS" with "l'" → "l'URPS"; with "le" → "le Conseil"; without → the name."""
    name = name.strip()
    if not article or not name:
        return name
    if article == "l'":
        return f"l'{name}"
    return f"{article} {name}"


_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_VOWEL_UPPER = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ"
_CONTRACTIONS = (
    # Only before a capitalised word: "à le faire" and "de les voir" are French too.
    (re.compile(rf"\b([Dd])e le (?=[{_UPPER}])"), r"\1u "),
    (re.compile(rf"\b([Dd])e les (?=[{_UPPER}])"), r"\1es "),
    (re.compile(rf"(?<![\w'])à le (?=[{_UPPER}])"), "au "),
    (re.compile(rf"(?<![\w'])À le (?=[{_UPPER}])"), "Au "),
    (re.compile(rf"(?<![\w'])à les (?=[{_UPPER}])"), "aux "),
    (re.compile(rf"(?<![\w'])À les (?=[{_UPPER}])"), "Aux "),
    # "de URPS Démo" → "d'URPS Démo" (a name of two letters or more starting with a vowel).
    (re.compile(rf"\b([Dd])e (?=[{_VOWEL_UPPER}][\w]+)"), r"\1'"),
)


# What every contraction above starts with: most texts have none and are not read by them.
_MAY_CONTRACT = re.compile(r"\b[Dd]e |[àÀ] le")


def contract(text: str) -> str:
    """The French contractions before names, in a text already in French."""
    if not _MAY_CONTRACT.search(text):
        return text
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def of_name(name: str) -> str:
    """ "de" before a name in a sentence: "de l'URPS", "du Conseil", "d'Orange"."""
    return contract(f"de {name}")


def to_name(name: str) -> str:
    """ "à" before a name in a sentence: "à l'URPS", "au Conseil", "aux Médecins"."""
    return contract(f"à {name}")
