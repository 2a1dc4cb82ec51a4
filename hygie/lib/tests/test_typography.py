"""French typography on real sentences, and never inside tags, URLs or code."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hygie.lib import french, typography
from hygie.lib.french import contract, of_name, to_name, with_article
from hygie.lib.typography import NBSP, NNBSP, french_html, french_text


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Attention : ne cliquez pas !", f"Attention{NBSP}: ne cliquez pas{NNBSP}!"),
        ("Pourquoi ce message ? Il imite l'Assurance Maladie.",
         f"Pourquoi ce message{NNBSP}? Il imite l'Assurance Maladie."),
        ("Montant à régler : 1 962,00 € avant le 15; merci",
         f"Montant à régler{NBSP}: 1{NNBSP}962,00{NBSP}€ avant le 15{NNBSP}; merci"),
        ("Taux de clic : 12,5 % (IC à 95 %)", f"Taux de clic{NBSP}: 12,5{NBSP}% (IC à 95{NBSP}%)"),
        ("Le message disait « votre carte expire » puis «cliquez».",
         f"Le message disait «{NNBSP}votre carte expire{NNBSP}» puis «{NNBSP}cliquez{NNBSP}»."),
        ("Une capsule de 3 min pour 12 500 médecins.",
         f"Une capsule de 3{NBSP}min pour 12{NNBSP}500 médecins."),
        ("Vraiment?!", f"Vraiment{NNBSP}?!"),
    ],
)  # fmt: skip
def test_french_sentences_get_their_spaces(written, expected):
    assert french_text(written) == expected


@pytest.mark.parametrize(
    "untouched",
    [
        "Rendez-vous à 10:30.",
        "Lisez https://exemple.fr/c/abc/?a=1&b=2 puis mailto:securite@urps.example",
        "Appelez le 06 12 34 56 78.",
        "Bonjour Docteur Lefèvre,",
    ],
)
def test_times_urls_and_phone_numbers_are_left_alone(untouched):
    assert french_text(untouched) == untouched


def test_html_text_only_is_changed():
    html = (
        '<p class="a:b" title="Vraiment ?">Note : voir <a href="https://x.fr/?q=1">ici</a> !</p>'
        "<style>p{color:red;}</style><script>if(a){b();}</script><pre>x : y</pre>"
        "<p>A &amp; B; et &nbsp;fin</p>"
    )
    assert french_html(html) == (
        f'<p class="a:b" title="Vraiment ?">Note{NBSP}: voir <a href="https://x.fr/?q=1">ici</a>'
        f"{NNBSP}!</p><style>p{{color:red;}}</style><script>if(a){{b();}}</script><pre>x : y</pre>"
        f"<p>A &amp; B{NNBSP}; et &nbsp;fin</p>"
    )


@pytest.mark.parametrize(
    ("name", "article", "of", "to"),
    [
        ("URPS Occitanie", "l'", "de l'URPS Occitanie", "à l'URPS Occitanie"),
        ("Union régionale", "l'", "de l'Union régionale", "à l'Union régionale"),
        ("Conseil de l'Ordre", "le", "du Conseil de l'Ordre", "au Conseil de l'Ordre"),
        ("Fédération", "la", "de la Fédération", "à la Fédération"),
        ("Médecins de Gironde", "les", "des Médecins de Gironde", "aux Médecins de Gironde"),
        ("URPS Démo", "", "d'URPS Démo", "à URPS Démo"),
        ("Doctolib", "", "de Doctolib", "à Doctolib"),
    ],
)
def test_organisation_names_read_right_in_french(name, article, of, to):
    named = with_article(name, article)
    assert of_name(named) == of
    assert to_name(named) == to


def test_contractions_only_before_a_name():
    assert contract("Il faut de le faire, à les voir.") == "Il faut de le faire, à les voir."


# Text made mostly of what the rules look at, so that the skipping of rules that cannot
# apply is tried where it could go wrong.
_TRICKY = st.lists(
    st.sampled_from(
        [
            *["«", "»", ";", "!", "?", ":", " : ", "9", "0", "12", " 345", " min", " ans", " %"],
            *[" €", " ", NBSP, NNBSP, "\n", "de ", "De ", "de le ", "de les ", "à le ", "À les "],
            *["Ordre", "URPS", "Élise", "x", "l'", ")", "10:30", "https://a.fr", "&amp;", "’", '"'],
        ]
    ),
    max_size=30,
).map("".join)


def _every_rule(text: str) -> str:
    """The typography with every rule applied to every text, as before rules were skipped."""
    for pattern, replacement in french._CONTRACTIONS:
        text = pattern.sub(replacement, text)
    parts = typography._ENTITY_OR_URL.split(text)
    for index in range(0, len(parts), 2):
        for _needed, rules in typography._RULES:
            for pattern, replacement in rules:
                parts[index] = pattern.sub(replacement, parts[index])
    return "".join(parts)


@given(_TRICKY)
@example("9 min")
@example("7 %")
@example("٣ 000")  # an Arabic-Indic digit is a digit to the rules too
@settings(max_examples=500, deadline=None)
def test_skipping_the_rules_that_cannot_apply_changes_nothing(text):
    assert french_text(text) == _every_rule(text)
    if "<" in text or ">" in text:
        return  # not text in HTML
    assert french_html(f"<p>{text}</p>\n  <b>x</b>") == f"<p>{_every_rule(text)}</p>\n  <b>x</b>"
