"""Medical specialties as member files write them, brought to one label each, so that
a segment by specialty finds "MG", "Médecin généraliste" and "Médecine générale" alike.

Labels not listed here are kept as written (tidied): a file may use a finer
nomenclature than this list, and an unknown specialty is not an error.
"""

from __future__ import annotations

# Label → the ways files write it (folded: lower case, no accents, words apart).
_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "Médecine générale": (
        "mg",
        "medecine generale",
        "medecin generaliste",
        "generaliste",
        "medecin general",
        "omnipraticien",
        "medecine generale qualifiee",
        "qualifie en medecine generale",
        "specialiste en medecine generale",
    ),
    "Cardiologie": (
        "cardiologie",
        "cardiologue",
        "cardiologie et maladies vasculaires",
        "pathologie cardio vasculaire",
    ),
    "Pédiatrie": ("pediatrie", "pediatre"),
    "Dermatologie": ("dermatologie", "dermatologue", "dermatologie et venereologie", "dermato"),
    "Gynécologie médicale": ("gynecologie medicale", "gynecologue medical", "gynecologue"),
    "Gynécologie obstétrique": (
        "gynecologie obstetrique",
        "gynecologue obstetricien",
        "obstetrique",
    ),
    "Psychiatrie": ("psychiatrie", "psychiatre"),
    "Ophtalmologie": ("ophtalmologie", "ophtalmologiste", "ophtalmologue", "ophtalmo"),
    "Radiologie": (
        "radiologie",
        "radiologue",
        "radiodiagnostic et imagerie medicale",
        "radiologie et imagerie medicale",
    ),
    "Rhumatologie": ("rhumatologie", "rhumatologue"),
    "Gastro-entérologie": (
        "gastro enterologie",
        "gastro enterologue",
        "gastroenterologie",
        "gastroenterologue",
        "hepato gastro enterologie",
        "gastro enterologie et hepatologie",
    ),
    "ORL": ("orl", "oto rhino laryngologie", "oto rhino laryngologiste", "otorhinolaryngologie"),
    "Anesthésie-réanimation": (
        "anesthesie reanimation",
        "anesthesiste",
        "anesthesiste reanimateur",
        "anesthesiologie reanimation chirurgicale",
    ),
    "Endocrinologie": ("endocrinologie", "endocrinologue", "endocrinologie diabetologie"),
    "Pneumologie": ("pneumologie", "pneumologue"),
    "Neurologie": ("neurologie", "neurologue"),
    "Médecine du sport": ("medecine du sport", "medecin du sport"),
}


def canonical_specialty(folded: str) -> str:
    """The label of a known specialty from its folded spelling, or ""."""
    return _LOOKUP.get(folded, "")


_LOOKUP = {spelling: label for label, spellings in _SPECIALTIES.items() for spelling in spellings}
