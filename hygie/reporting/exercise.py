"""From a real lure to an exercise: the draft scenario a group of reports becomes.

The group's representative message (its first report) is rewritten so that it can
train members without harming anyone:

- the real services it borrows become the fictional ones the shipped scenarios use
  (Caisse santé, Espace Pro Santé, Doctoplanning, Carte Pro Santé, Votre banque…);
- personal data goes: the reporters' and the recipient's names become the
  recipient's own placeholders, addresses, telephone numbers, IBANs and long
  identifiers are replaced by a visible mark, and every link becomes the
  simulation's tracked link `{{ lien }}`;
- the attacker's braces are neutralised, so nothing of theirs reads as a placeholder;
- the red flags the automatic checks found (a look-alike or failing sender, pressure
  words, links to other hosts, an attachment) are written as the scenario's red
  flags, each to be reviewed.

The result is content in the scenarios' schema; `phishing.services` keeps it as a
draft, which no simulation can use until someone publishes it. The text is French,
like the shipped library.
"""

from __future__ import annotations

import html
import re
from email.utils import getaddresses, parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hygie.audience.models import Person
from hygie.reporting.lookalike import imitated_service
from hygie.reporting.models import Channel, LureGroup, Report
from hygie.reporting.rendering import _PRESSURE
from hygie.reporting.selectors import GroupSummary, group_summary

LINK = "{{ lien }}"
# Marks kept while the text is rewritten (no lure carries these control characters).
_LINK_MARK = "\x00"
_NAME_MARKS = {"full": "\x01", "first": "\x02", "last": "\x03"}
_PLACEHOLDERS = {"\x01": "{{ nom_complet }}", "\x02": "{{ prenom }}", "\x03": "{{ nom }}"}

ADDRESS_REMOVED = "[adresse retirée]"
NUMBER_REMOVED = "[numéro retiré]"
IBAN_REMOVED = "[IBAN retiré]"
SITE_REMOVED = "[site retiré]"
LINK_TEXT = "Accéder au service"

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
# A French social security number (NIR), spaced or not.
_NIR = re.compile(r"\b[12][ ]?\d{2}[ ]?\d{2}[ ]?(?:\d{2}|2A|2B)[ ]?\d{3}[ ]?\d{3}(?:[ ]?\d{2})?\b")
_PHONE = re.compile(r"(?:\+33[ .]?|0033[ .]?|\b0)[1-9](?:[ .\-]?\d{2}){4}\b")
_LONG_NUMBER = re.compile(r"\b\d{9,}\b")
_DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:fr|com|org|net|io|eu|info|biz|gouv|sante|re|be|ch|example)\b",
    re.IGNORECASE,
)
_TITLES = {"dr", "docteur", "pr", "professeur", "mme", "madame", "m", "monsieur", "mlle"}

# Real services lures borrow -> the fictional names of the shipped scenarios.
BRANDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"\bl['’]Assurance[- ]Maladie\b", "la Caisse santé"),
        (r"\bAssurance[- ]Maladie\b", "Caisse santé"),
        (r"\bCPAM\b", "Caisse santé"),
        (r"\bamelipro\b|\bameli[ ]pro\b|\bameli\b", "Espace Pro Santé"),
        (r"\bDoctolib\b|\bMaiia\b", "Doctoplanning"),
        (r"\bMon espace sant[ée]\b", "votre espace santé en ligne"),
        (r"\bMSSant[ée]\b|\bMesSant[ée]\b", "messagerie sécurisée de santé"),
        (
            r"\bl['’](?:Agence du num[ée]rique en sant[ée]|(?-i:ANS))\b",
            "le service Carte Pro Santé",
        ),
        # Acronyms that are also words ("ans") only in capitals.
        (r"\bAgence du num[ée]rique en sant[ée]\b|(?-i:\bANS\b)|\besant[ée]\b", "Carte Pro Santé"),
        (r"\bURSSAF\b", "Centre de Cotisations des Libéraux"),
        (r"\bCARMF\b", "CaisseRetraite Médicale"),
        (r"\bDGFiP\b|\bimp[oô]ts\.gouv\b", "Espace Impôts Professionnels"),
        (r"\bANTAI\b", "Service des amendes"),
        (r"\bLa Poste\b|\bColissimo\b|\bChronopost\b", "ColiRapide"),
        (
            r"\bCr[ée]dit Agricole\b|\bBNP(?: Paribas)?\b|\bSoci[ée]t[ée] G[ée]n[ée]rale\b|"
            r"(?-i:\bLCL\b)|\bBanque Populaire\b|\bCaisse d['’][ÉEée]pargne\b|"
            r"\b(?:La )?Banque Postale\b|\bCr[ée]dit Mutuel\b|(?-i:\bCIC\b)|\bBoursorama\b|"
            r"\bFortuneo\b|\bQonto\b|\bShine\b|\bRevolut\b",
            "Votre banque",
        ),
        (r"\bANSSI\b|\bcybermalveillance\b|\bCERT Sant[ée]\b", "le service national de sécurité"),
        (r"\bMicrosoft(?: 365)?\b|\bOffice ?365\b|\bOutlook\b", "Bureau en ligne"),
    )
)


def neutral_brands(text: str) -> str:
    for pattern, replacement in BRANDS:
        text = pattern.sub(_Fictional(replacement), text)
    return text


class _Fictional:
    """The fictional name, capitalised where the real one was ("L’Assurance Maladie"
    opening a sentence becomes "La Caisse santé")."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, match: re.Match[str]) -> str:
        if match.group(0)[:1].isupper():
            return self.name[:1].upper() + self.name[1:]
        return self.name


# --- Personal data ---------------------------------------------------------------


def _people(group: LureGroup, reports: list[Report]) -> list[Person]:
    """The members credited with the reports, and those whose address reported them
    (an SMS pasted on the public page is credited to nobody)."""
    reporters = {r.reporter_email.lower() for r in reports if r.reporter_email}
    return list(
        Person.objects.filter(organisation=group.organisation_id).filter(
            Q(pk__in=[r.person_id for r in reports if r.person_id]) | Q(email__in=reporters)
        )
    )


def _names(group: LureGroup, reports: list[Report]) -> dict[str, str]:
    """Every name of a reporter or recipient of the group -> the kind of mark it gets."""
    found: dict[str, str] = {}

    def add_display(display: str) -> None:
        words = [w for w in re.split(r"[\s,]+", display) if w]
        kept = [w for w in words if w.strip(".").lower() not in _TITLES and "@" not in w]
        if len(kept) >= 2:
            found.setdefault(" ".join(kept), "full")
        for word in kept:
            if len(word.strip(".")) >= 2:
                found.setdefault(word.strip("."), "full")

    for person in _people(group, reports):
        if person.first_name and person.last_name:
            found[f"{person.first_name} {person.last_name}"] = "full"
            found[f"{person.last_name} {person.first_name}"] = "full"
        if person.first_name:
            found[person.first_name] = "first"
        if person.last_name:
            found[person.last_name] = "last"
    for report in reports:
        add_display(str(report.details.get("reporter_name", "")))
        for name, value in report.details.get("headers", []):
            if str(name).lower() in {"to", "cc", "delivered-to"}:
                for display, _address in getaddresses([str(value)]):
                    add_display(display)
    return {name: kind for name, kind in found.items() if len(name) >= 2}


def _addresses(group: LureGroup, reports: list[Report]) -> set[str]:
    addresses = {r.reporter_email.lower() for r in reports if r.reporter_email}
    return addresses | {str(p.email).lower() for p in _people(group, reports) if p.email}


class _NameMark:
    """A name is a capitalised word: "Petit" the doctor, not "petit" the adjective."""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __call__(self, match: re.Match[str]) -> str:
        return self.mark if match.group(0)[:1].isupper() else match.group(0)


def scrub(text: str, *, names: dict[str, str], links: bool = True) -> str:
    """`text` without personal data, brands made fictional, links marked."""
    text = text.replace("{", "(").replace("}", ")")
    text = text.replace(_LINK_MARK, "").translate({ord(m): None for m in _PLACEHOLDERS})
    text = _URL.sub(_LINK_MARK if links else "", text)
    text = _EMAIL.sub(ADDRESS_REMOVED, text)
    text = _IBAN.sub(IBAN_REMOVED, text)
    text = _NIR.sub(NUMBER_REMOVED, text)
    text = _PHONE.sub(NUMBER_REMOVED, text)
    text = _LONG_NUMBER.sub(NUMBER_REMOVED, text)
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(
            rf"(?<!\w){re.escape(name)}(?!\w)",
            _NameMark(_NAME_MARKS[names[name]]),
            text,
            flags=re.IGNORECASE,
        )
    text = _DOMAIN.sub(SITE_REMOVED, text)
    return neutral_brands(text)


def _finish(text: str) -> str:
    for mark, placeholder in _PLACEHOLDERS.items():
        text = text.replace(mark, placeholder)
    return text.replace(_LINK_MARK, LINK)


# --- The message -----------------------------------------------------------------


def _bodies(text: str) -> tuple[str, str, str]:
    """(text body, HTML body, the link's words) from the scrubbed text: each link
    becomes the tracked link, with words before it that the HTML turns into the link."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    text_lines: list[str] = []
    html_lines: list[str] = []
    link_words = ""
    for line in lines:
        if _LINK_MARK not in line:
            text_lines.append(line)
            html_lines.append(html.escape(_finish(line)))
            continue
        before, _mark, after = line.partition(_LINK_MARK)
        after = after.replace(_LINK_MARK, "")
        words = before.strip().rstrip(":").strip() or LINK_TEXT
        if len(words) < 3:
            words = LINK_TEXT
        link_words = link_words or _finish(words)
        text_lines.append(f"{words} : {_LINK_MARK}{after}")
        html_lines.append(
            f'<a href="{LINK}">{html.escape(_finish(words))}</a>{html.escape(_finish(after))}'
        )
    if not link_words:
        # A lure without a link (an attachment, a number to call): the exercise still
        # needs its tracked link.
        text_lines += ["", f"{LINK_TEXT} : {_LINK_MARK}"]
        html_lines += ["", f'<a href="{LINK}">{LINK_TEXT}</a>']
        link_words = LINK_TEXT
    text_body = _finish("\n".join(text_lines)).strip() + "\n"
    paragraphs = "\n".join(html_lines).split("\n\n")
    html_body = "\n".join(
        f"<p>{'<br>'.join(p.strip().splitlines())}</p>" for p in paragraphs if p.strip()
    )
    return text_body, html_body, link_words


def _sender(summary: GroupSummary, names: dict[str, str]) -> tuple[str, str, str]:
    """(display name, local part, sending domain) of the lure's sender, made neutral."""
    display, address = parseaddr(summary.sender)
    display = _finish(scrub(display, names=names, links=False)).strip(" \"'")
    display = display.replace(ADDRESS_REMOVED, "").replace(SITE_REMOVED, "").strip(" -")
    local, _at, domain = address.lower().partition("@")
    # A role word ("remboursement", "service-client") is kept; anything that may name
    # a person (dots, digits) or a real service is not.
    local = local.replace("_", "-")
    if not re.fullmatch(r"[a-z]+(?:-[a-z]+)*", local) or neutral_brands(local) != local:
        local = "service-client"
    if any(part.lower() in local for part in names if len(part) >= 3):
        local = "service-client"
    return (display or "Service client")[:100], local[:40], domain


def _flags(
    summary: GroupSummary,
    *,
    sender_name: str,
    sender_domain: str,
    subject: str,
    text_body: str,
    link_words: str,
    attachment: bool,
) -> tuple[list[dict[str, str]], list[str]]:
    """The red flags the automatic checks support, and what each rests on."""
    flags: list[dict[str, str]] = []
    notes: list[str] = []
    failed = sorted(
        name.upper()
        for name, result in summary.authentication.items()
        if str(result).lower() in {"fail", "softfail", "none", "permerror"}
    )
    imitated = imitated_service(sender_domain) if sender_domain else ""
    reasons = []
    if imitated:
        reasons.append(
            "l'adresse venait d'un domaine qui imite le nom d'un organisme connu sans être le sien"
        )
        notes.append("Expéditeur : domaine d'apparence trompeuse détecté.")
    if failed:
        reasons.append(f"les contrôles d'authentification ({', '.join(failed)}) avaient échoué")
        notes.append(f"Expéditeur : contrôles {', '.join(failed)} en échec.")
    explanation = (
        "Le nom affiché inspire confiance, mais " + " et ".join(reasons) + "."
        if reasons
        else "Le nom affiché ne prouve rien : regardez l'adresse complète de l'expéditeur."
    )
    flags.append(
        {
            "where": "sender",
            "anchor": sender_name,
            "explanation": explanation
            + " En cas de doute, contactez l'organisme par le numéro ou le site que vous "
            "connaissez déjà.",
        }
    )
    pressure = list(dict.fromkeys(m.group(0) for m in _PRESSURE.finditer(text_body)))[:2]
    for words in pressure:
        flags.append(
            {
                "where": "body",
                "anchor": words,
                "explanation": f"« {words} » : l'urgence pousse à agir sans vérifier. Un "
                "organisme sérieux laisse le temps de vérifier par ses canaux habituels.",
            }
        )
    if pressure:
        notes.append("Message : mots d'urgence repérés (" + ", ".join(pressure) + ").")
    hosts = [h for h in summary.link_hosts if h]
    elsewhere = [h for h in hosts if sender_domain and not h.endswith(sender_domain)]
    looking_alike = [h for h in hosts if imitated_service(h)]
    if looking_alike:
        link_reason = "Le lien menait vers un site qui imite le nom d'un organisme connu."
        notes.append("Lien : site d'apparence trompeuse détecté.")
    elif elsewhere:
        link_reason = "Le lien menait vers un autre site que celui de l'expéditeur."
        notes.append("Lien : hôte différent du domaine de l'expéditeur.")
    else:
        link_reason = "Le lien ne menait pas au site officiel de l'organisme cité."
    flags.append(
        {
            "where": "link",
            "anchor": link_words,
            "explanation": link_reason
            + " Ouvrez vous-même le site que vous connaissez plutôt que de suivre un lien reçu.",
        }
    )
    if attachment:
        flags.append(
            {
                "where": "attachment",
                "anchor": "Consulter le document",
                "explanation": "Une pièce jointe inattendue qui renvoie vers un site : c'est "
                "un moyen de contourner les filtres. Ne l'ouvrez pas sans avoir vérifié "
                "l'expéditeur.",
            }
        )
        notes.append("Pièce jointe : le message signalé en portait une.")
    if len(flags) < 3 and subject:
        flags.append(
            {
                "where": "subject",
                "anchor": subject,
                "explanation": "À relire : dites ce qui, dans cet objet, devait alerter.",
            }
        )
    return flags[:6], notes


LANDING = {
    "title": "Connexion à votre espace",
    "html": (
        '<div style="font-family: Arial, Helvetica, sans-serif; max-width: 420px; '
        'margin: 40px auto; padding: 24px; border: 1px solid #d9e2ec; border-radius: 8px;">'
        '<h1 style="font-size: 20px;">Connexion à votre espace</h1>'
        "<p>Identifiez-vous pour continuer.</p>"
        '<form method="post">'
        '<label for="identifiant">Identifiant</label> '
        '<input type="text" id="identifiant" name="identifiant" autocomplete="off"> '
        '<label for="mot_de_passe">Mot de passe</label> '
        '<input type="password" id="mot_de_passe" name="mot_de_passe" autocomplete="off"> '
        '<button type="submit">Continuer</button></form></div>'
    ),
    "has_form": True,
}
ATTACHMENT = {
    "filename": "document.pdf",
    "html": (
        "<h1>Document à consulter</h1>"
        '<p>Consulter le document en ligne : <a href="{{ lien }}">{{ lien }}</a></p>'
    ),
}


def draft_from_group(group: LureGroup) -> dict[str, Any]:
    """The draft scenario's content (schema of content/scenarios) from the group's
    representative message. Raises ValidationError when there is nothing to draw from."""
    summary = group_summary(group)
    reports = summary.reports
    if not reports:
        raise ValidationError(_("This group has no report."))
    names = _names(group, reports)
    addresses = _addresses(group, reports)
    text = summary.text
    for address in addresses:
        text = re.sub(re.escape(address), ADDRESS_REMOVED, text, flags=re.IGNORECASE)
    if reports[0].channel == Channel.SMS:
        return _sms_draft(group, scrub(text, names=names), len(reports))
    text_body, html_body, link_words = _bodies(scrub(text, names=names))
    subject = _finish(scrub(summary.subject, names=names, links=False)).strip()
    subject = subject or "Message à relire"
    sender_name, local_part, sender_domain = _sender(summary, names)
    attachment = any(r.details.get("attachments") for r in reports)
    flags, notes = _flags(
        summary,
        sender_name=sender_name,
        sender_domain=sender_domain,
        subject=subject,
        text_body=text_body,
        link_words=link_words,
        attachment=attachment,
    )
    notes = [
        "Brouillon tiré d'un leurre réellement signalé : marques remplacées par des noms "
        "fictifs, données personnelles retirées, liens remplacés par le lien suivi.",
        *notes,
        "Relisez chaque indice, la page d'arrivée (générique) et les marques « [… retiré] ».",
    ]
    data: dict[str, Any] = {
        "slug": slugify(f"leurre-{group.pk}-{subject}")[:80].strip("-"),
        "language": "fr",
        "title": f"Leurre signalé : {subject}"[:200],
        "channel": "email",
        "technique": "credential_form",
        "theme": "phishing_email",
        "difficulty_rating": {
            "cues": sum(1 for f in flags if f["where"] != "landing"),
            "premise": "medium",
            "premise_note": "Tiré d'un leurre réellement reçu par des membres : à ajuster "
            "après relecture.",
        },
        "sender_name": sender_name,
        "sender_local_part": local_part,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "landing": dict(LANDING),
        "red_flags": flags,
        "review_notes": notes,
        "origin": {"lure_group": group.pk, "reports": len(reports)},
        "notes": "Exercice tiré d'un leurre en circulation signalé par des membres.",
    }
    if attachment:
        data["attachment"] = dict(ATTACHMENT)
    return data


SMS_LIMIT = 320


def _sms_draft(group: LureGroup, scrubbed: str, reports: int) -> dict[str, Any]:
    """An SMS lure as an SMS scenario: one line, the first link tracked, at most
    320 characters."""
    text = " ".join(scrubbed.split())
    before, mark, after = text.partition(_LINK_MARK)
    after = after.replace(_LINK_MARK, "").strip()
    if not mark:
        before, after = text, ""
    before = before.rstrip(" :") or "Caisse santé"
    room = SMS_LIMIT - len(LINK) - 2 - (len(after) + 1 if after else 0)
    if len(before) > room:
        before = before[: max(room, 20)].rsplit(" ", 1)[0]
        after = "" if len(before) + len(LINK) + 2 > SMS_LIMIT else after
    body = _finish(f"{before} : {LINK}" + (f" {after}" if after else ""))[:SMS_LIMIT]
    opening = " ".join(_finish(before).split()[:3])
    link_words = " ".join(_finish(before).split()[-4:])
    flags = [
        {
            "where": "sms",
            "anchor": opening,
            "explanation": "Le nom affiché d'un SMS se choisit librement : il ne prouve pas "
            "que le message vient de l'organisme qu'il cite.",
        }
    ]
    pressure = list(dict.fromkeys(m.group(0) for m in _PRESSURE.finditer(body)))[:2]
    flags += [
        {
            "where": "sms",
            "anchor": words,
            "explanation": f"« {words} » : l'urgence pousse à agir sans vérifier. Un "
            "organisme sérieux laisse le temps de vérifier par ses canaux habituels.",
        }
        for words in pressure
    ]
    flags.append(
        {
            "where": "sms",
            "anchor": link_words,
            "explanation": "Un lien dans un SMS mène où l'expéditeur veut. Ouvrez vous-même "
            "le site ou l'application que vous connaissez.",
        }
    )
    # Distinct anchors only (a short SMS may give the same words twice).
    flags = list({flag["anchor"]: flag for flag in flags}.values())
    if len(flags) < 3:
        flags.append(
            {
                "where": "sms",
                "anchor": LINK,
                "explanation": "À relire : dites ce qui, dans ce SMS, devait alerter.",
            }
        )
    subject = " ".join(opening.split()) or "SMS"
    return {
        "slug": slugify(f"leurre-sms-{group.pk}-{subject}")[:80].strip("-"),
        "language": "fr",
        "title": f"Leurre signalé (SMS) : {_finish(before)[:120]}"[:200],
        "channel": "sms",
        "technique": "credential_form",
        "theme": "phone_sms_fraud",
        "difficulty_rating": {
            "cues": len(flags),
            "premise": "medium",
            "premise_note": "Tiré d'un leurre réellement reçu par des membres : à ajuster "
            "après relecture.",
        },
        "sms_body": body,
        "landing": dict(LANDING),
        "red_flags": flags[:6],
        "review_notes": [
            "Brouillon tiré d'un SMS réellement signalé : marques remplacées par des noms "
            "fictifs, données personnelles retirées, lien remplacé par le lien suivi.",
            "Relisez chaque indice, la page d'arrivée (générique) et les marques « [… retiré] ».",
        ],
        "origin": {"lure_group": group.pk, "reports": reports},
        "notes": "Exercice tiré d'un SMS frauduleux signalé par des membres.",
    }
