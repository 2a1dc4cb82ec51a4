"""Reading forwarded reports in each supported form, and surviving hostile ones."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest

from hygie.reporting.parsing import (
    MAX_DEPTH,
    parse_report,
    reported_sender,
    token_haystack,
    unwrap,
)
from hygie.reporting.tests import corpus

LINK = "https://portail-ameli-securite.example/connexion"
FORMS = sorted(corpus.SEPARATORS)


@pytest.mark.parametrize(("client", "language"), FORMS, ids=lambda v: str(v))
def test_inline_forwards_of_each_client_give_back_the_original(client, language):
    raw = corpus.inline(corpus.suspicious(), client=client, language=language)
    report = parse_report(raw)
    assert report.form == client
    assert report.reporter == corpus.REPORTER
    assert report.original.subject == "Votre remboursement est en attente"
    assert reported_sender(report) == "support@portail-ameli-securite.example"
    assert "Un remboursement de 84,20 EUR" in report.original.text
    assert "je vous transfère" not in report.original.text
    assert LINK in report.urls
    assert report.domains[0] == "portail-ameli-securite.example"


@pytest.mark.parametrize("client", sorted(corpus.BARE_SEPARATORS))
def test_inline_forwards_without_the_original_headers(client):
    report = parse_report(corpus.inline(corpus.suspicious(), client=client, headers=False))
    assert report.form == client
    assert report.original.sender == ""
    assert "Un remboursement de 84,20 EUR" in report.original.text
    assert LINK in report.urls


def test_quoted_and_html_inline_forwards_are_read():
    quoted = parse_report(corpus.inline(corpus.suspicious(), client="gmail", quote_lines=True))
    assert quoted.form == "gmail"
    assert quoted.original.subject == "Votre remboursement est en attente"
    html = parse_report(
        corpus.inline(corpus.suspicious(), client="outlook", language="en", as_html=True)
    )
    assert html.form == "outlook"
    assert reported_sender(html) == "support@portail-ameli-securite.example"


@pytest.mark.parametrize("builder", [corpus.as_attachment, corpus.as_eml_file])
def test_attached_originals_keep_their_headers_and_authentication_results(builder):
    report = parse_report(builder(corpus.suspicious()))
    assert report.form == "attachment"
    assert report.original.subject == "Votre remboursement est en attente"
    assert reported_sender(report) == "support@portail-ameli-securite.example"
    assert report.authentication == {"spf": "fail", "dkim": "none", "dmarc": "fail"}
    assert dict(report.original.headers)["Message-ID"] == "<abc123@portail-ameli-securite.example>"
    assert "<script>" in report.original.html  # kept as data; sanitised when shown
    assert LINK in report.urls
    assert "https://tracker.example/pixel.gif" in report.urls


def test_a_plain_message_is_taken_whole():
    message = EmailMessage()
    message["From"] = corpus.REPORTER
    message["Subject"] = "bizarre ce SMS"
    message.set_content("J'ai reçu ce lien : https://colis-relivraison.example/x")
    report = parse_report(message.as_bytes())
    assert report.form == "plain"
    assert report.urls == ["https://colis-relivraison.example/x"]


def test_attachments_are_listed_with_size_and_hash_never_opened():
    original = EmailMessage()
    original["From"] = "x@evil.example"
    original["Subject"] = "Facture"
    original.set_content("Voir la facture.")
    original.add_attachment(
        b"MZ\x90\x00fake", maintype="application", subtype="octet-stream", filename="facture.exe"
    )
    report = parse_report(corpus.as_attachment(original.as_bytes()))
    (attachment,) = report.attachments
    assert attachment.filename == "facture.exe"
    assert attachment.size == 8
    assert attachment.sha256 == hashlib.sha256(b"MZ\x90\x00fake").hexdigest()


def test_link_protection_wrappers_are_undone():
    assert unwrap(corpus.safelinks(LINK)) == LINK
    assert unwrap(f"https://www.google.com/url?q={LINK}&sa=D") == LINK
    assert unwrap(LINK) == LINK
    report = parse_report(corpus.inline(corpus.suspicious(), client="gmail", rewrite_link=LINK))
    assert LINK in report.urls


def test_rewrapped_and_quoted_links_are_rejoined_for_token_search():
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz0"
    link = f"https://suivi.example/espace12ab/{token}/"
    text = (
        "> Cliquez ici : https://suivi.example/esp=\n> ace12ab/AbCdEfGhIjKl\n"
        "> MnOpQrStUvWxYz0/ merci"
    )
    assert f"/espace12ab/{token}/" in token_haystack(text)
    assert link in token_haystack(corpus.safelinks(link))


# --- Hostile input --------------------------------------------------------------------


def test_malformed_mime_is_survived_and_said():
    raw = (
        b"From: dr@example.org\r\nSubject: =?utf-8?q?broken\r\n"
        b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n'
        b"--zz\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64\xff\xfe\r\n--zz"
    )
    report = parse_report(raw)
    assert report.reporter == "dr@example.org"
    assert "malformed MIME" in report.problems


def test_non_utf8_charsets_are_decoded():
    message = EmailMessage()
    message["From"] = corpus.REPORTER
    message["Subject"] = "Fwd: =?iso-8859-1?q?r=E9sultats?="
    body = "Résultats d'analyse : https://labo.example/r".encode("latin-1")
    message.set_content(body, "text", "plain")
    message.replace_header("Content-Type", 'text/plain; charset="iso-8859-1"')
    report = parse_report(message.as_bytes())
    assert "Résultats d'analyse" in report.original.text
    windows = (
        b"From: dr@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=windows-1252\r\n"
        b"\r\nPi\xe8ce jointe \x80 payer\r\n"
    )
    assert "Pièce jointe € payer" in parse_report(windows).original.text


def test_deep_nesting_stops_at_the_limit():
    inner = corpus.suspicious()
    for _ in range(MAX_DEPTH + 3):  # each level re-reads the whole message below it
        inner = corpus.as_attachment(inner)
    report = parse_report(inner)
    assert report.form == "attachment"
    assert "nested too deeply" in report.problems


def test_deeply_nested_multiparts_do_not_crash():
    boundary_open = b"".join(
        f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'.encode()
        for i in range(3000)
    )
    raw = (
        b'From: dr@example.org\r\nSubject: nest\r\nContent-Type: multipart/mixed; boundary="b0"'
        b"\r\n\r\n" + boundary_open + b"--b3000\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
    )
    report = parse_report(raw)
    assert report.reporter == "dr@example.org"


def test_auto_generated_messages_are_recognised():
    def message(**headers: str) -> bytes:
        mail = EmailMessage()
        mail["From"] = headers.pop("sender", corpus.REPORTER)
        mail["Subject"] = "Réponse automatique"
        for name, value in headers.items():
            mail[name.replace("_", "-")] = value
        mail.set_content("absent")
        return mail.as_bytes()

    assert parse_report(message(Auto_Submitted="auto-replied")).auto_generated
    assert parse_report(message(Return_Path="<>")).auto_generated
    assert parse_report(message(sender="MAILER-DAEMON@mx.example")).auto_generated
    assert parse_report(message(Precedence="bulk")).auto_generated
    assert parse_report(message(Auto_Submitted="no")).auto_generated == ""
    assert parse_report(message()).auto_generated == ""
