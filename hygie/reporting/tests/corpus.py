"""Forwarded reports built the way the usual mail clients build them.

Each builder takes the original (suspicious) message as bytes and returns the bytes of
the report a practitioner would send to the report mailbox.
"""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from urllib.parse import quote

REPORTER = "dr.martin@cabinet-martin.example"
MAILBOX = "signalement@urps-test.example"


def suspicious(
    *,
    link: str = "https://portail-ameli-securite.example/connexion",
    sender: str = "Service Client <support@portail-ameli-securite.example>",
    subject: str = "Votre remboursement est en attente",
    message_id: str = "<abc123@portail-ameli-securite.example>",
    authentication: str = (
        "mx.cabinet.example; spf=fail smtp.mailfrom=portail-ameli-securite.example; "
        "dkim=none; dmarc=fail header.from=portail-ameli-securite.example"
    ),
) -> bytes:
    """A real-looking phishing message as the practitioner received it."""
    message = EmailMessage()
    message["Authentication-Results"] = authentication
    message["From"] = sender
    message["To"] = REPORTER
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Thu, 26 Nov 2026 09:12:00 +0100"
    message.set_content(
        f"Bonjour,\n\nUn remboursement de 84,20 EUR est en attente.\n"
        f"Confirmez vos coordonnées : {link}\n\nLe service client\n"
    )
    message.add_alternative(
        f"<html><body><p>Bonjour,</p><p>Un remboursement est en attente.</p>"
        f'<p><a href="{link}">Confirmer</a></p>'
        f'<img src="https://tracker.example/pixel.gif"><script>alert(1)</script>'
        f"</body></html>",
        subtype="html",
    )
    return message.as_bytes()


def _outer(subject: str, *, reporter: str = REPORTER) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Dr Martin <{reporter}>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Message-ID"] = "<fwd-1@cabinet-martin.example>"
    message["Date"] = "Thu, 26 Nov 2026 10:00:00 +0100"
    return message


def as_attachment(original: bytes, *, reporter: str = REPORTER) -> bytes:
    """Forwarded "as attachment" (message/rfc822), as Thunderbird or Outlook do."""
    message = _outer("Fwd: message suspect", reporter=reporter)
    message.set_content("Bonjour, ce message me paraît louche.\n")
    inner = message_from_bytes(original, policy=default_policy)
    message.add_attachment(inner)
    return message.as_bytes()


def as_eml_file(original: bytes, *, reporter: str = REPORTER) -> bytes:
    """The original saved as a .eml file and attached (webmails)."""
    message = _outer("message suspect", reporter=reporter)
    message.set_content("Voir la pièce jointe.\n")
    message.add_attachment(
        original, maintype="application", subtype="octet-stream", filename="message.eml"
    )
    return message.as_bytes()


def _text_of(original: bytes) -> tuple[Message, str]:
    parsed = message_from_bytes(original, policy=default_policy)
    body = parsed.get_body(("plain",))  # type: ignore[attr-defined]
    return parsed, body.get_content() if body is not None else ""


SEPARATORS = {
    ("gmail", "fr"): (
        "---------- Message transféré ---------\n"
        "De : {sender}\nDate: jeu. 26 nov. 2026 à 09:12\nSubject: {subject}\nTo: <{to}>\n"
    ),
    ("gmail", "en"): (
        "---------- Forwarded message ---------\n"
        "From: {sender}\nDate: Thu, Nov 26, 2026 at 9:12 AM\nSubject: {subject}\nTo: <{to}>\n"
    ),
    ("outlook", "fr"): (
        "________________________________\n"
        "De : {sender}\nEnvoyé : jeudi 26 novembre 2026 09:12\nÀ : {to}\nObjet : {subject}\n"
    ),
    ("outlook", "en"): (
        "________________________________\n"
        "From: {sender}\nSent: Thursday, November 26, 2026 9:12 AM\nTo: {to}\n"
        "Subject: {subject}\n"
    ),
    ("thunderbird", "fr"): (
        "-------- Message transféré --------\n"
        "Sujet : \t{subject}\nDate : \tThu, 26 Nov 2026 09:12:00 +0100\nDe : \t{sender}\n"
        "Pour : \t{to}\n"
    ),
    ("thunderbird", "en"): (
        "-------- Forwarded Message --------\n"
        "Subject: \t{subject}\nDate: \tThu, 26 Nov 2026 09:12:00 +0100\nFrom: \t{sender}\n"
        "To: \t{to}\n"
    ),
    ("apple", "fr"): (
        "Début du message réexpédié :\n\n"
        "De: {sender}\nObjet: {subject}\nDate: 26 novembre 2026 à 09:12:00 UTC+1\nÀ: {to}\n"
    ),
    ("apple", "en"): (
        "Begin forwarded message:\n\n"
        "From: {sender}\nSubject: {subject}\nDate: November 26, 2026 at 09:12:00 GMT+1\nTo: {to}\n"
    ),
}
# Without the copied headers: only the separator line.
BARE_SEPARATORS = {
    "gmail": "---------- Forwarded message ---------\n",
    "thunderbird": "-------- Message transféré --------\n",
    "apple": "Begin forwarded message:\n",
}


def safelinks(url: str) -> str:
    return (
        "https://eur02.safelinks.protection.outlook.com/?url="
        f"{quote(url, safe='')}&data=05%7C02%7C%7Cabc&sdata=xyz&reserved=0"
    )


def inline(
    original: bytes,
    *,
    client: str,
    language: str = "fr",
    headers: bool = True,
    quote_lines: bool = False,
    wrap_links: bool = False,
    rewrite_link: str | None = None,
    encoding: str = "quoted-printable",
    as_html: bool = False,
    reporter: str = REPORTER,
) -> bytes:
    """Forwarded inline, the way `client` writes it in `language`, optionally altered."""
    parsed, body = _text_of(original)
    if rewrite_link is not None:
        body = body.replace(rewrite_link, safelinks(rewrite_link))
    if wrap_links:
        # The forwarder's client re-wrapped long lines, cutting links in two.
        body = "\n".join(
            "\n".join(line[i : i + 60] for i in range(0, max(len(line), 1), 60))
            for line in body.split("\n")
        )
    if headers:
        header = SEPARATORS[(client, language)].format(
            sender=parsed["From"], subject=parsed["Subject"], to=REPORTER
        )
    else:
        header = BARE_SEPARATORS[client]
    content = f"{header}\n{body}"
    if quote_lines:
        content = "\n".join(f"> {line}" for line in content.split("\n"))
    message = _outer(f"TR: {parsed['Subject']}", reporter=reporter)
    text = f"Bonjour, je vous transfère ce message reçu ce matin.\n\n{content}"
    if as_html:
        from html import escape

        message.set_content(
            "<html><body><div>" + escape(text).replace("\n", "<br>") + "</div></body></html>",
            subtype="html",
            cte=encoding,
        )
    else:
        message.set_content(text, cte=encoding)
    return message.as_bytes()
