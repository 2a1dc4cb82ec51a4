"""Which column of a member file holds which person field, guessed from its header."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hygie.audience.values import fold

IGNORE = ""
AS_TAG = "tag"

# Fields an import can fill, with their label in the mapping form.
IMPORT_FIELDS: dict[str, Promise] = {
    "civility": _("Civility"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "mobile_phone": _("Mobile phone"),
    "rpps": _("RPPS number"),
    "profession": _("Profession"),
    "specialty": _("Specialty"),
    "practice_role": _("Role in the practice"),
    "departement": _("Département"),
    "postcode": _("Postcode"),
    "commune": _("Commune"),
    "practice_name": _("Practice name"),
    "practice_address": _("Practice address"),
    "language": _("Language"),
    "tags": _("Tags"),
}

# Folded header text (see values.fold) → field. French and English, the
# spellings found in member-file exports and hand-made spreadsheets.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "civility": ("civilite", "civ", "titre", "title", "civility", "salutation", "name prefix"),
    "first_name": ("prenom", "prenoms", "first name", "firstname", "given name", "forename"),
    "last_name": (
        "nom",
        "nom de famille",
        "nom d usage",
        "last name",
        "lastname",
        "surname",
        "family name",
        "nom naissance",
    ),
    "email": (
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse mail",
        "adresse email",
        "adresse e mail",
        "adresse electronique",
        "email address",
        "e mail address",
        "mel",
        "email pro",
        "mail pro",
        "email professionnel",
        "courriel professionnel",
        # Outlook (English, French) and Google contacts exports
        "e mail address",
        "adresse de messagerie",
        "e mail 1 value",
        "email 1 value",
    ),
    "mobile_phone": (
        "portable",
        "mobile",
        "tel portable",
        "telephone portable",
        "tel mobile",
        "telephone mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "gsm",
        "sms",
        "telephone",
        "tel",
        "phone",
    ),
    "rpps": ("rpps", "n rpps", "numero rpps", "no rpps", "num rpps", "rpps number", "id rpps"),
    "profession": ("profession", "metier", "fonction", "job", "occupation", "role", "categorie"),
    "specialty": ("specialite", "specialty", "speciality", "discipline", "specialite medicale"),
    "practice_role": (
        "role au cabinet",
        "role dans le cabinet",
        "statut",
        "statut au cabinet",
        "statut d exercice",
        "mode d exercice",
        "situation",
        "practice role",
        "role in the practice",
    ),
    "departement": ("departement", "dept", "dep", "department", "code departement", "dpt"),
    "postcode": (
        "code postal",
        "cp",
        "postcode",
        "post code",
        "zip",
        "zip code",
        "postal code",
        "business postal code",
        "address 1 postal code",
    ),
    "commune": ("commune", "ville", "city", "localite", "town", "business city", "address 1 city"),
    "practice_name": (
        "cabinet",
        "nom du cabinet",
        "practice",
        "practice name",
        "structure",
        "etablissement",
        "maison de sante",
        "msp",
        "centre",
        "company",
        "societe",
        "organization name",
        "organization 1 name",
    ),
    "practice_address": (
        "adresse",
        "adresse du cabinet",
        "address",
        "rue",
        "adresse postale",
        "business street",
        "address 1 street",
    ),
    "language": ("langue", "language", "lang"),
    "tags": (
        "tags",
        "etiquettes",
        "etiquette",
        "labels",
        "groupes",
        "groupe",
        "categories",
        "group membership",
    ),
}

# Headers that look like a field but are not that field: a contact's job title says
# what they do in a company ("Gérant", "Associé"), not their health profession; an
# Outlook "Department" is a service in a company, not a French département.
_NOT_A_FIELD = frozenset(
    {
        "job title",
        "organization title",
        "organization 1 title",
        "organization department",
        "organization 1 department",
        "service",
        "notes",
        "e mail display name",
        "e mail type",
        "business phone",
        "home phone",
        "home city",
        "home street",
        "home postal code",
    }
)
# Columns that only an address-book export has; in such a file "Fonction" is the job
# title (French Outlook), not the profession, and "Department" a company's service.
_CONTACTS_EXPORT_MARKERS = frozenset(
    {
        "middle name",
        "deuxieme prenom",
        "business street",
        "rue bureau",
        "e mail 1 value",
        "name prefix",
        "file as",
        "given yomi",
    }
)
_NOT_A_FIELD_IN_CONTACTS = frozenset({"fonction", "titre de poste", "department"})
_LOOKUP = {synonym: field for field, synonyms in _SYNONYMS.items() for synonym in synonyms}


def guess_field(header: str, *, contacts_export: bool = False) -> str:
    folded = fold(header)
    if folded in _NOT_A_FIELD or (contacts_export and folded in _NOT_A_FIELD_IN_CONTACTS):
        return IGNORE
    if folded.endswith((" label", " type")):  # "E-mail 1 - Label": Home, Work…
        return IGNORE
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    # "Adresse e-mail (pro)", "Téléphone portable *": try without the trailing notes.
    for size in range(len(folded.split()), 0, -1):
        prefix = " ".join(folded.split()[:size])
        if prefix in _LOOKUP:
            return _LOOKUP[prefix]
    return IGNORE


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as text) → field. Each field is given to its first matching column."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    contacts_export = bool({fold(h) for h in headers} & _CONTACTS_EXPORT_MARKERS)
    for index, header in enumerate(headers):
        field = guess_field(header, contacts_export=contacts_export)
        if field and field not in taken:
            mapping[str(index)] = field
            taken.add(field)
        else:
            mapping[str(index)] = IGNORE
    return mapping


def mapping_problems(mapping: dict[str, str]) -> list[str]:
    """What makes a mapping unusable, in words; empty when it can be used."""
    problems = []
    fields = [f for f in mapping.values() if f not in (IGNORE, AS_TAG)]
    if "email" not in fields:
        problems.append(str(_("No column is used for the email address.")))
    duplicated = sorted({f for f in fields if fields.count(f) > 1})
    for field in duplicated:
        problems.append(
            str(_("Several columns are used for “%(field)s”.") % {"field": IMPORT_FIELDS[field]})
        )
    unknown = sorted(set(fields) - set(IMPORT_FIELDS))
    if unknown:
        problems.append(str(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)}))
    return problems
