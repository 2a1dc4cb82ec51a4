"""Cleaning of single values found in member files: emails, RPPS, phones, places, names.

Each cleaner returns the normalised value or raises `InvalidValue` with a message
that names what is wrong, in the words a file owner understands.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from hygie.audience.departements import ALIASES, DEPARTEMENTS
from hygie.audience.models import Civility, Language, PracticeRole, Profession
from hygie.audience.specialties import canonical_specialty


class InvalidValue(ValueError):
    pass


def fold(text: str) -> str:
    """Lower-case, accents removed, runs of non-alphanumerics as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def clean_text(value: str, max_length: int) -> str:
    text = " ".join(value.split())
    return text[:max_length]


def clean_email(value: str) -> str:
    email = value.strip().strip("<>").strip().lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    if not email:
        raise InvalidValue(_("missing email address"))
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValue(_("invalid email address “%(value)s”") % {"value": value}) from None
    return email


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def clean_rpps(value: str) -> str:
    """An RPPS number: 11 digits whose last one is a Luhn check digit."""
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits:
        return ""
    if not re.fullmatch(r"\d{11}", digits) or not luhn_valid(digits):
        raise InvalidValue(
            _("invalid RPPS number “%(value)s” (11 digits with a check digit)") % {"value": value}
        )
    return digits


# Metropolitan French mobiles written the usual ways ("06 12 34 56 78",
# "+33 6…", "0033 7…"). 0639 and 069x are overseas numbers: phonenumbers decides.
_FRENCH_MOBILE = re.compile(r"^(?:\+33|0033|0)\s*\(?0?\)?\s*([67])((?:[\s.\-]?\d){8})$")

# Overseas mobiles written the national way ("0692 12 34 56") share metropolitan
# France's trunk prefix 0 but not its country code: the region that knows the
# number gives it (0692/0693 and 0639: +262, 0690/0691: +590, 0694: +594, 0696/0697:
# +596). Saint-Martin and Saint-Barthélemy numbers are Guadeloupe's (+590).
_OVERSEAS_REGIONS = ("RE", "YT", "GP", "GF", "MQ")
_MOBILE_KINDS = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def _overseas_mobile(raw: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", raw)
    if not re.fullmatch(r"0(639|69\d)\d{6}", digits):
        return ""
    for region in _OVERSEAS_REGIONS:
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            _MOBILE_KINDS
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ""


def clean_mobile_phone(value: str) -> str:
    """A mobile number in E.164 form; French numbers may be written the French way,
    overseas ones included."""
    raw = value.strip()
    if not raw:
        return ""
    if re.search(r"[^\W\d_]", raw):
        # Letters are never part of a number in a member file: reading them as keypad
        # digits (as phone libraries do) would store an invented number.
        raise InvalidValue(
            _("invalid phone number “%(value)s” (it contains letters)") % {"value": value}
        )
    quick = _FRENCH_MOBILE.match(raw)
    if quick is not None:
        national = quick.group(1) + re.sub(r"\D", "", quick.group(2))
        if not national.startswith(("639", "69", "70", "71", "72")):
            return "+33" + national
    overseas = _overseas_mobile(raw)
    if overseas:
        return overseas
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        raise InvalidValue(_("invalid phone number “%(value)s”") % {"value": value}) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(_("invalid phone number “%(value)s”") % {"value": value})
    if phonenumbers.number_type(number) not in _MOBILE_KINDS:
        raise InvalidValue(
            _("“%(value)s” is not a mobile number (SMS cannot reach it)") % {"value": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_DEPARTEMENT_NAMES = {fold(name): code for code, name in DEPARTEMENTS.items()} | ALIASES


def clean_departement(value: str) -> str:
    """A département code (01–95, 2A, 2B, 971–976) from its code or its name, as files
    write them: "33", "Gironde", "GIRONDE", "Gironde (33)", "cotes d'armor", "2a"."""
    text = value.strip().upper()
    if not text:
        return ""
    by_name = _DEPARTEMENT_NAMES.get(fold(value)) or _DEPARTEMENT_NAMES.get(
        fold(re.sub(r"\(.*\)", "", value))
    )
    found = re.search(r"\b(97[1-46]|2[AB]|\d{1,2})\b", text)
    if found is None:
        if by_name:
            return by_name
        raise InvalidValue(_("unknown département “%(value)s”") % {"value": value})
    code = found.group(1)
    if code.isdigit() and len(code) < 3:
        code = code.zfill(2)
    if code not in DEPARTEMENTS:
        raise InvalidValue(_("unknown département “%(value)s”") % {"value": value})
    return code


def departement_from_postcode(postcode: str) -> str:
    digits = re.sub(r"\D", "", postcode)
    if len(digits) != 5:
        return ""
    if digits.startswith("97"):
        return digits[:3] if digits[2] in "123456" else ""
    if digits.startswith("20"):
        # Corsica: 200xx–201xx is Corse-du-Sud, 202xx–206xx Haute-Corse.
        return "2A" if digits[2] in "01" else "2B"
    code = digits[:2]
    return code if 1 <= int(code) <= 95 else ""


def clean_postcode(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if len(digits) == 4:  # spreadsheets drop the leading zero of 01000–09999
        digits = "0" + digits
    if len(digits) != 5:
        raise InvalidValue(_("invalid postcode “%(value)s”") % {"value": value})
    return digits


_CIVILITIES = {
    "dr": Civility.DR,
    "docteur": Civility.DR,
    "doctor": Civility.DR,
    "pr": Civility.PR,
    "professeur": Civility.PR,
    "professor": Civility.PR,
    "m": Civility.MR,
    "mr": Civility.MR,
    "monsieur": Civility.MR,
    "mme": Civility.MRS,
    "madame": Civility.MRS,
    "mrs": Civility.MRS,
    "ms": Civility.MRS,
    "mlle": Civility.MRS,
}


def clean_civility(value: str) -> str:
    key = fold(value).replace(" ", "")
    if not key:
        return ""
    if key not in _CIVILITIES:
        raise InvalidValue(_("unknown civility “%(value)s”") % {"value": value})
    return str(_CIVILITIES[key])


_PROFESSIONS = (
    (("secretaire", "secretary", "accueil", "receptionist"), Profession.SECRETARY),
    (("assistant", "assistante"), Profession.ASSISTANT),
    (("infirmier", "infirmiere", "ide", "nurse"), Profession.NURSE),
    (
        ("medecin", "docteur", "doctor", "physician", "generaliste", "specialiste"),
        Profession.DOCTOR,
    ),
)


def clean_profession(value: str) -> str:
    words = set(fold(value).split())
    if not words:
        return ""
    for keywords, profession in _PROFESSIONS:
        if words & set(keywords):
            return str(profession)
    return str(Profession.OTHER)


def clean_specialty(value: str) -> str:
    """A known specialty under its one label ("MG" → "Médecine générale"); others as written."""
    return canonical_specialty(fold(value)) or clean_text(value, 120)


# Folded words → role in the practice. Checked in this order: "médecin remplaçant"
# is a locum, "assistante médicale" a secretary or assistant.
_PRACTICE_ROLES = (
    (("remplacant", "remplacante", "rempla", "locum"), PracticeRole.LOCUM),
    (("collaborateur", "collaboratrice", "associate"), PracticeRole.ASSOCIATE),
    (("titulaire", "installe", "installee", "holder", "associe", "associee"), PracticeRole.HOLDER),
    (
        ("secretaire", "secretariat", "assistant", "assistante", "accueil", "secretary"),
        PracticeRole.SECRETARY,
    ),
    (
        (
            "infirmier",
            "infirmiere",
            "kine",
            "kinesitherapeute",
            "sage",
            "orthophoniste",
            "pharmacien",
            "pharmacienne",
            "paramedical",
            "autre",
            "other",
        ),
        PracticeRole.OTHER_HEALTH,
    ),
)


def clean_practice_role(value: str) -> str:
    """The role in the practice from a spreadsheet's words; raises on words it cannot place."""
    words = set(fold(value).replace("(", " ").replace(")", " ").split())
    if not words:
        return ""
    for keywords, role in _PRACTICE_ROLES:
        if words & set(keywords):
            return str(role)
    if words & {"medecin", "docteur", "doctor"}:
        return str(PracticeRole.HOLDER)
    raise InvalidValue(
        _(
            "unknown role in the practice “%(value)s” (titulaire, collaborateur, "
            "remplaçant, secrétaire, autre profession de santé)"
        )
        % {"value": value}
    )


def clean_language(value: str) -> str:
    key = fold(value)
    if not key:
        return ""
    if key in {"fr", "francais", "french", "fra"}:
        return str(Language.FR)
    if key in {"en", "anglais", "english", "eng"}:
        return str(Language.EN)
    raise InvalidValue(_("unknown language “%(value)s” (fr or en)") % {"value": value})


def clean_name(value: str) -> str:
    """Names as written, with whitespace tidied; ALL-CAPS names are title-cased."""
    text = clean_text(value, 150)
    if text.isupper() and len(text) > 1:
        text = "-".join(part.capitalize() for part in text.lower().split("-"))
        text = " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
    return text


def split_tags(value: str) -> list[str]:
    return [clean_text(tag, 80) for tag in re.split(r"[,;|]", value) if tag.strip()]
