"""A corpus of forwarded reports, generated the way each common client writes them.

Every builder takes the lure a member received (`Lure`) and a language ("fr" or "en")
and returns the bytes of the .eml the report mailbox would receive. The layouts follow
what the clients produce: Outlook for Windows (plain text with a non-breaking-space
line before the header block, HTML full of XML namespaces, Windows-1252 text labelled
ISO-8859-1), Outlook for Mac (no "Sent" line), Windows Live Mail, Gmail, Apple Mail,
Thunderbird, Yahoo, and the French webmails of Orange, SFR, Free (Zimbra) and
La Poste; forwards as attachments (message/rfc822 and .eml), forwards of forwards,
raw UTF-8 headers, and links rewritten by Proofpoint URL Defense (v2, v3) and
Microsoft Safe Links.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

MAILBOX = "signalement@urps-test.example"
REPORTER = "dr.martin@cabinet-martin.example"
REPORTER_NAME = "Dr Élise Martin"
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Lure:
    sender_name: str = "Assurance Maladie"
    sender: str = "remboursement@ameli-remboursement-fr.example"
    to: str = REPORTER
    subject: str = "Votre remboursement de 84,20 € est en attente"
    # Thursday 26 November 2026, 09:12 in Paris.
    sent_at: datetime = datetime(2026, 11, 26, 8, 12, tzinfo=UTC)
    link: str = "https://ameli-remboursement-fr.example/connexion?dossier=7781"
    body: str = (
        "Bonjour,\n\nVotre remboursement de 84,20 € n’a pas pu être versé.\n"
        "Mettez à jour vos coordonnées bancaires : {link}\n\n"
        "Sans réponse sous 48 heures, le dossier sera clôturé.\n\nL’Assurance Maladie\n"
    )

    @property
    def text(self) -> str:
        return self.body.format(link=self.link)

    def as_message(self) -> EmailMessage:
        message = EmailMessage()
        message["Authentication-Results"] = (
            "mx.cabinet-martin.example; spf=fail smtp.mailfrom=ameli-remboursement-fr.example;"
            " dkim=none; dmarc=fail header.from=ameli-remboursement-fr.example"
        )
        message["From"] = f"{self.sender_name} <{self.sender}>"
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = format_datetime(self.sent_at.astimezone(PARIS))
        message["Message-ID"] = "<lure-7781@ameli-remboursement-fr.example>"
        message.set_content(self.text)
        message.add_alternative(
            "<html><body>"
            + escape(self.text)
            .replace("\n", "<br>")
            .replace(escape(self.link), f'<a href="{escape(self.link)}">{escape(self.link)}</a>')
            + "</body></html>",
            subtype="html",
        )
        return message

    def as_bytes(self) -> bytes:
        return self.as_message().as_bytes()


FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FR_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
NBSP = "\u00a0"


def _local(lure: Lure) -> datetime:
    return lure.sent_at.astimezone(PARIS)


def _fr_long(lure: Lure) -> str:
    at = _local(lure)
    return f"{FR_DAYS[at.weekday()]} {at.day} {FR_MONTHS[at.month - 1]} {at.year} {at:%H:%M}"


def _en_long(lure: Lure) -> str:
    at = _local(lure)
    return f"{at:%A}, {at:%B} {at.day}, {at.year} {at.hour % 12 or 12}:{at:%M} {at:%p}"


def _outer(
    *,
    subject: str,
    reporter: str = REPORTER,
    reporter_name: str = REPORTER_NAME,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{reporter_name} <{reporter}>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = "Thu, 26 Nov 2026 10:47:00 +0100"
    message["Message-ID"] = f"<fwd-{abs(hash(subject)) % 10**8}@cabinet-martin.example>"
    return message


def _intro(language: str) -> str:
    return (
        "Bonjour, je vous transfère ce message reçu ce matin, il me paraît louche.\n"
        if language == "fr"
        else "Hello, forwarding this message I got this morning, it looks odd.\n"
    )


def _sender(lure: Lure) -> str:
    return f"{lure.sender_name} <{lure.sender}>"


def _fwd(language: str, subject: str) -> str:
    return f"TR: {subject}" if language == "fr" else f"Fwd: {subject}"


def _plain(subject: str, text: str, *, charset: str = "utf-8", **outer: str) -> bytes:
    message = _outer(subject=subject, **outer)
    message.set_content(text, charset=charset, cte="quoted-printable")
    return message.as_bytes()


def _alternative(subject: str, text: str, markup: str, **outer: str) -> bytes:
    message = _outer(subject=subject, **outer)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(markup, subtype="html", cte="quoted-printable")
    return message.as_bytes()


# --- Desktop clients --------------------------------------------------------------------


def outlook_windows(lure: Lure, language: str) -> bytes:
    """Outlook for Windows: a lone non-breaking space on the line before the header
    block, "De :" with non-breaking spaces, HTML with Word's namespaces, and the text
    in Windows-1252 while the part says ISO-8859-1."""
    if language == "fr":
        names = ("De", "Envoyé", "À", "Objet")
        date = _fr_long(lure)
    else:
        names = ("From", "Sent", "To", "Subject")
        date = _en_long(lure)
    colon = f"{NBSP}:" if language == "fr" else ":"
    values = (_sender(lure), date, lure.to, lure.subject)
    block = "\n".join(f"{n}{colon} {v}" for n, v in zip(names, values, strict=True))
    text = f"{_intro(language)}\n{NBSP}\n\n{block}\n{NBSP}\n\n{lure.text}"
    markup = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" '
        'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
        'xmlns="http://www.w3.org/TR/REC-html40"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body lang=FR><div class=WordSection1>"
        f"<p class=MsoNormal>{escape(_intro(language))}</p><p class=MsoNormal>&nbsp;</p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        + "".join(
            f"<p class=MsoNormal><b>{n}{'&nbsp;:' if language == 'fr' else ':'}</b> "
            f"{escape(v)}<br></p>"
            for n, v in zip(names, values, strict=True)
        )
        + "</div><p class=MsoNormal>&nbsp;</p>"
        + escape(lure.text)
        .replace("\n", "<br>")
        .replace(escape(lure.link), f'<a href="{escape(lure.link)}">{escape(lure.link)}</a>')
        + "</div></body></html>"
    )
    message = _outer(subject=_fwd(language, lure.subject))
    message.set_content(text.encode("cp1252"), "text", "plain", cte="quoted-printable")
    message.replace_header("Content-Type", 'text/plain; charset="iso-8859-1"')
    message.add_alternative(markup.encode("cp1252"), "text", "html", cte="quoted-printable")
    message.get_payload()[1].replace_header("Content-Type", 'text/html; charset="iso-8859-1"')
    return message.as_bytes()


def outlook_mac(lure: Lure, language: str) -> bytes:
    """Outlook for Mac: a header block with "Date" and no "Envoyé"/"Sent" line."""
    at = _local(lure)
    if language == "fr":
        block = (
            f"De : {_sender(lure)}\n"
            f"Date : {FR_DAYS[at.weekday()]} {at.day} {FR_MONTHS[at.month - 1]} {at.year}"
            f" à {at:%H:%M}\nÀ : {lure.to}\nObjet : {lure.subject}\n"
        )
    else:
        block = (
            f"From: {_sender(lure)}\nDate: {at:%A}, {at.day} {at:%B} {at.year} at {at:%H:%M}\n"
            f"To: {lure.to}\nSubject: {lure.subject}\n"
        )
    return _plain(_fwd(language, lure.subject), f"{_intro(language)}\n{block}\n{lure.text}")


def windows_live_mail(lure: Lure, language: str) -> bytes:
    """Windows Live Mail (and Outlook Express before it): "----- Message d'origine -----"."""
    if language == "fr":
        block = (
            f'----- Message d\'origine -----\nDe : "{lure.sender_name}" <{lure.sender}>\n'
            f"À : <{lure.to}>\nEnvoyé : {_fr_long(lure)}\nObjet : {lure.subject}\n"
        )
    else:
        block = (
            f'----- Original Message -----\nFrom: "{lure.sender_name}" <{lure.sender}>\n'
            f"To: <{lure.to}>\nSent: {_en_long(lure)}\nSubject: {lure.subject}\n"
        )
    return _plain(_fwd(language, lure.subject), f"{_intro(language)}\n{block}\n{lure.text}")


def thunderbird(lure: Lure, language: str) -> bytes:
    title, names = (
        ("Message transféré", ("Sujet", "Date", "De", "Pour"))
        if language == "fr"
        else ("Forwarded Message", ("Subject", "Date", "From", "To"))
    )
    values = (lure.subject, format_datetime(_local(lure)), _sender(lure), lure.to)
    block = "\n".join(f"{n} : \t{v}" for n, v in zip(names, values, strict=True))
    text = f"{_intro(language)}\n\n-------- {title} --------\n{block}\n\n\n\n{lure.text}"
    return _plain(f"Fwd: {lure.subject}", text)


def apple_mail(lure: Lure, language: str) -> bytes:
    at = _local(lure)
    if language == "fr":
        block = (
            f"Début du message réexpédié :\n\nDe: {_sender(lure)}\nObjet: {lure.subject}\n"
            f"Date: {at.day} {FR_MONTHS[at.month - 1]} {at.year} à {at:%H:%M:%S} UTC+1\n"
            f"À: {lure.to}\n"
        )
    else:
        block = (
            f"Begin forwarded message:\n\nFrom: {_sender(lure)}\nSubject: {lure.subject}\n"
            f"Date: {at:%B} {at.day}, {at.year} at {at:%H:%M:%S} GMT+1\nTo: {lure.to}\n"
        )
    return _plain(f"Fwd: {lure.subject}", f"{_intro(language)}\n\n{block}\n{lure.text}")


# --- Webmails -----------------------------------------------------------------------------


def gmail(lure: Lure, language: str) -> bytes:
    """Gmail: plain text and HTML, the HTML with the sender's name in <strong>."""
    at = _local(lure)
    if language == "fr":
        title, sender_label = "Message transféré", "De :"
        date = f"jeu. {at.day} nov. {at.year} à {at:%H:%M}"
        names = ("Date", "Subject", "To")
    else:
        title, sender_label = "Forwarded message", "From:"
        date = f"Thu, Nov {at.day}, {at.year} at {at.hour % 12 or 12}:{at:%M} {at:%p}"
        names = ("Date", "Subject", "To")
    values = (date, lure.subject, f"<{lure.to}>")
    rest = "\n".join(f"{n}: {v}" for n, v in zip(names, values, strict=True))
    text = (
        f"{_intro(language)}\n---------- {title} ---------\n"
        f"{sender_label} {_sender(lure)}\n{rest}\n\n\n{lure.text}"
    )
    markup = (
        f'<div dir="ltr">{escape(_intro(language))}<br><br><div class="gmail_quote">'
        f'<div dir="ltr" class="gmail_attr">---------- {title} ---------<br>'
        f'{sender_label} <strong class="gmail_sendername" dir="auto">'
        f'{escape(lure.sender_name)}</strong> <span dir="auto">&lt;{lure.sender}&gt;</span><br>'
        + "".join(f"{n}: {escape(v)}<br>" for n, v in zip(names, values, strict=True))
        + "</div><br><br>"
        + escape(lure.text).replace("\n", "<br>")
        + "</div></div>"
    )
    return _alternative(_fwd("en", lure.subject), text, markup)


def yahoo(lure: Lure, language: str) -> bytes:
    at = _local(lure)
    if language == "fr":
        block = (
            f"----- Message transféré -----\nDe : {_sender(lure)}\nÀ : {lure.to}\n"
            f"Envoyé : {_fr_long(lure)}:00 UTC+1\nObjet : {lure.subject}\n"
        )
    else:
        block = (
            f"----- Forwarded Message -----\nFrom: {_sender(lure)}\nTo: {lure.to}\n"
            f"Sent: {at:%A}, {at:%B} {at.day}, {at.year}, {at:%I:%M:%S} {at:%p} GMT+1\n"
            f"Subject: {lure.subject}\n"
        )
    return _plain(_fwd(language, lure.subject), f"{_intro(language)}\n\n{block}\n{lure.text}")


def orange(lure: Lure, language: str) -> bytes:
    """Orange's webmail: the original quoted with ">" under "Message du 26/11/26 09:12"."""
    at = _local(lure)
    if language == "fr":
        lines = [
            f"Message du {at:%d/%m/%y %H:%M}",
            f'De : "{lure.sender_name}" <{lure.sender}>',
            f"A : {lure.to}",
            "Copie à : ",
            f"Objet : {lure.subject}",
        ]
    else:
        lines = [
            f"Message of {at:%d/%m/%y %H:%M}",
            f'From : "{lure.sender_name}" <{lure.sender}>',
            f"To : {lure.to}",
            "Copy to : ",
            f"Subject : {lure.subject}",
        ]
    quoted = "\n".join(f"> {line}" for line in [*lines, "", *lure.text.split("\n")])
    return _plain(_fwd(language, lure.subject), f"{_intro(language)}\n\n{quoted}")


def sfr(lure: Lure, language: str) -> bytes:
    at = _local(lure)
    title = "Message d'origine" if language == "fr" else "Original Message"
    names = ("De", "Date", "À", "Objet") if language == "fr" else ("From", "Date", "To", "Subject")
    values = (_sender(lure), f"{at:%d/%m/%Y %H:%M}", lure.to, lure.subject)
    block = "\n".join(f"{n} : {v}" for n, v in zip(names, values, strict=True))
    return _plain(
        _fwd(language, lure.subject),
        f"{_intro(language)}\n\n-------- {title} --------\n{block}\n\n{lure.text}",
    )


def free_zimbra(lure: Lure, language: str) -> bytes:
    at = _local(lure)
    if language == "fr":
        block = (
            f'----- Mail original -----\nDe: "{lure.sender_name}" <{lure.sender}>\n'
            f"À: {lure.to}\nEnvoyé: {FR_DAYS[at.weekday()].capitalize()} {at.day} "
            f"{FR_MONTHS[at.month - 1].capitalize()} {at.year} {at:%H:%M:%S}\n"
            f"Objet: {lure.subject}\n"
        )
    else:
        block = (
            f'----- Original Message -----\nFrom: "{lure.sender_name}" <{lure.sender}>\n'
            f"To: {lure.to}\nSent: {at:%A}, {at:%B} {at.day}, {at.year} {at:%I:%M:%S} {at:%p}\n"
            f"Subject: {lure.subject}\n"
        )
    return _plain(_fwd(language, lure.subject), f"{_intro(language)}\n\n{block}\n{lure.text}")


def la_poste(lure: Lure, language: str) -> bytes:
    """laposte.net (Open-Xchange): the title between runs of ten dashes, HTML only."""
    at = _local(lure)
    if language == "fr":
        title = "Message d'origine"
        rows = (
            ("De", _sender(lure)),
            ("À", lure.to),
            ("Date", f"{at.day} {FR_MONTHS[at.month - 1]} {at.year} à {at:%H:%M}"),
            ("Objet", lure.subject),
        )
    else:
        title = "Original Message"
        rows = (
            ("From", _sender(lure)),
            ("To", lure.to),
            ("Date", f"{at:%d/%m/%Y %H:%M}"),
            ("Subject", lure.subject),
        )
    markup = (
        "<!DOCTYPE html><html><head></head><body>"
        f'<p>{escape(_intro(language))}</p><blockquote type="cite">'
        f"<div>---------- {title} ----------</div>"
        + "".join(f"<div>{n}: {escape(v)}</div>" for n, v in rows)
        + "<div>&nbsp;</div><div>"
        + escape(lure.text).replace("\n", "<br>")
        + "</div></blockquote></body></html>"
    )
    message = _outer(subject=_fwd(language, lure.subject))
    message.set_content(markup, subtype="html", cte="quoted-printable")
    return message.as_bytes()


# --- Forwarded as an attachment, and forwards of forwards ------------------------------


def as_rfc822(lure: Lure, language: str) -> bytes:
    """Forwarded "as attachment" (Outlook, Thunderbird): a message/rfc822 part."""
    message = _outer(subject=_fwd(language, lure.subject))
    message.set_content(_intro(language))
    message.add_attachment(lure.as_message())
    return message.as_bytes()


def as_eml_file(lure: Lure, language: str) -> bytes:
    """The original saved as a file and attached (webmails, phones)."""
    message = _outer(subject=_fwd(language, lure.subject))
    message.set_content(_intro(language))
    message.add_attachment(
        lure.as_bytes(), maintype="application", subtype="octet-stream", filename="message.eml"
    )
    return message.as_bytes()


SECRETARY = "secretariat@cabinet-martin.example"


def forward_of_forward(lure: Lure, language: str) -> bytes:
    """The member forwarded the lure to the practice's secretary, who reported it:
    two Outlook blocks, the intermediate forwarder's first."""
    inner_names = (
        ("De", "Envoyé", "À", "Objet") if language == "fr" else ("From", "Sent", "To", "Subject")
    )
    date = _fr_long(lure) if language == "fr" else _en_long(lure)
    colon = f"{NBSP}:" if language == "fr" else ":"
    first = "\n".join(
        f"{n}{colon} {v}"
        for n, v in zip(
            inner_names,
            (f"{REPORTER_NAME} <{lure.to}>", date, SECRETARY, _fwd(language, lure.subject)),
            strict=True,
        )
    )
    second = "\n".join(
        f"{n}{colon} {v}"
        for n, v in zip(inner_names, (_sender(lure), date, lure.to, lure.subject), strict=True)
    )
    text = f"{_intro(language)}\n{NBSP}\n{first}\n\nÀ signaler.\n\n{NBSP}\n{second}\n\n{lure.text}"
    return _plain(
        _fwd(language, _fwd(language, lure.subject)),
        text,
        reporter=SECRETARY,
        reporter_name="Secrétariat",
    )


def attachment_of_attachment(lure: Lure, language: str) -> bytes:
    """The member forwarded the lure as an attachment to the secretary, who forwarded
    that message as an attachment again."""
    middle = _outer(subject=_fwd(language, lure.subject))
    middle.replace_header("To", SECRETARY)
    middle.set_content("À signaler.\n")
    middle.add_attachment(lure.as_message())
    message = _outer(
        subject=_fwd(language, _fwd(language, lure.subject)),
        reporter=SECRETARY,
        reporter_name="Secrétariat",
    )
    message.set_content(_intro(language))
    message.add_attachment(middle)
    return message.as_bytes()


# --- Raw headers and rewritten links --------------------------------------------------------


def raw_utf8_subject(lure: Lure, language: str) -> bytes:
    """A Subject (of the report and of the attached original) in raw UTF-8, not RFC 2047."""
    original = (
        f"From: {lure.sender_name} <{lure.sender}>\r\nTo: {lure.to}\r\n"
        f"Subject: {lure.subject}\r\nDate: {format_datetime(_local(lure))}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + lure.text.replace("\n", "\r\n")
    ).encode()
    boundary = "==raw8bit=="
    return (
        (
            f"From: {REPORTER_NAME} <{REPORTER}>\r\nTo: {MAILBOX}\r\n"
            f"Subject: {_fwd(language, lure.subject)}\r\n"
            "Date: Thu, 26 Nov 2026 10:47:00 +0100\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n{_intro(language)}\r\n"
            f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
        ).encode()
        + original
        + f"\r\n--{boundary}--\r\n".encode()
    )


def safelinks(url: str) -> str:
    return (
        "https://eur02.safelinks.protection.outlook.com/?url="
        f"{quote(url, safe='')}&data=05%7C02%7C%7Cabc&sdata=xyz&reserved=0"
    )


def proofpoint_v2(url: str) -> str:
    encoded = quote(url, safe="").replace("%", "-").replace("-2F", "_")
    return (
        f"https://urldefense.proofpoint.com/v2/url?u={encoded}"
        "&d=DwMFaQ&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM&r=abc&m=def&s=ghi&e="
    )


def proofpoint_v3(url: str) -> str:
    """Proofpoint URL Defense v3: "?", "=" and "&" (and runs of them) moved out of the
    address into a base64 tail, replaced by "*" (or "**" and a run-length letter)."""
    moved: list[str] = []
    body: list[str] = []
    index = 0
    special = set("?=&#%")
    while index < len(url):
        char = url[index]
        if char in special:
            run = 1
            while index + run < len(url) and url[index + run] in special:
                run += 1
            moved.append(url[index : index + run])
            body.append("*" if run == 1 else "**" + "ABCDEFGHIJ"[run - 2])
            index += run
        else:
            body.append(char)
            index += 1
    tail = base64.urlsafe_b64encode("".join(moved).encode()).decode().rstrip("=")
    return f"https://urldefense.com/v3/__{''.join(body)}__;{tail}!!ABCDEF!ghij-KLmn$"


def wrapped_links(wrap: Callable[[str], str]) -> Callable[[Lure, str], bytes]:
    """An Outlook for Windows forward whose link the member's gateway rewrote."""

    def build(lure: Lure, language: str) -> bytes:
        text = lure.text.replace(lure.link, wrap(lure.link))
        return outlook_windows(
            replace(lure, body=text.replace("{", "{{").replace("}", "}}")), language
        )

    return build


def truncated_link(lure: Lure, language: str) -> bytes:
    """A webmail shows the link shortened in the text, the full address in the href."""
    shown = lure.link[:30] + "…"
    markup = (
        f"<p>{escape(_intro(language))}</p><p>---------- Forwarded message ---------<br>"
        f"From: {escape(_sender(lure))}<br>Subject: {escape(lure.subject)}<br>"
        f"Date: {format_datetime(_local(lure))}<br>To: {lure.to}</p>"
        f'<p>Mettez à jour : <a href="{escape(lure.link)}">{escape(shown)}</a></p>'
    )
    text = (
        f"{_intro(language)}\n---------- Forwarded message ---------\nFrom: {_sender(lure)}\n"
        f"Subject: {lure.subject}\nDate: {format_datetime(_local(lure))}\nTo: {lure.to}\n\n"
        f"Mettez à jour : {shown}\n"
    )
    return _alternative(_fwd(language, lure.subject), text, markup)


# Client name -> builder; each is tried in French and in English.
CLIENTS: dict[str, Callable[[Lure, str], bytes]] = {
    "outlook_windows": outlook_windows,
    "outlook_mac": outlook_mac,
    "windows_live_mail": windows_live_mail,
    "thunderbird": thunderbird,
    "apple_mail": apple_mail,
    "gmail": gmail,
    "yahoo": yahoo,
    "orange": orange,
    "sfr": sfr,
    "free_zimbra": free_zimbra,
    "la_poste": la_poste,
    "as_rfc822": as_rfc822,
    "as_eml_file": as_eml_file,
    "forward_of_forward": forward_of_forward,
    "attachment_of_attachment": attachment_of_attachment,
    "raw_utf8_subject": raw_utf8_subject,
    "proofpoint_v2": wrapped_links(proofpoint_v2),
    "proofpoint_v3": wrapped_links(proofpoint_v3),
    "safelinks": wrapped_links(safelinks),
}
LANGUAGES = ("fr", "en")
