"""PDF attachments drawn for each recipient: their link and QR code inside, a real
PDF in a multipart/mixed message, bad attachments refused before launch."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Variant
from hygie.delivery.selectors import check_content
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people

INVOICE = """<html><body><h1>Facture de {{ prenom }}</h1>
<p>Régler ici : <a href="{{ lien }}">{{ lien }}</a></p>{{ qr_code }}
<p>{{ organisation }} &amp; cie</p></body></html>"""


def _send(organisation, html: str = INVOICE) -> list:
    crowd = people(organisation, 2)
    for person in crowd:
        person.first_name = "O'Brien <b>"
        person.save()
    m = mailing(organisation)
    Variant.objects.filter(mailing=m).update(
        attachment_name="facture_2026.pdf", attachment_html=html
    )
    mailing_launch(mailing=m, actor=Actor.system())
    Delivery.objects.filter(mailing=m).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    while sending.send_due("w1"):
        pass
    return list(Delivery.objects.filter(mailing=m).order_by("recipient"))


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_each_recipient_gets_a_pdf_with_their_own_link(organisation, smtp_server):
    deliveries = _send(organisation)
    assert len(smtp_server.messages) == 2
    for received in smtp_server.messages:
        message = received.message
        delivery = next(d for d in deliveries if d.recipient == received.recipients[0])
        assert message.get_content_type() == "multipart/mixed"
        # The message itself is still readable as text and HTML.
        assert message.get_body(("plain",)) is not None
        assert message.get_body(("html",)) is not None
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == "facture_2026.pdf"
        reader = PdfReader(io.BytesIO(attachment.get_content()))
        text = reader.pages[0].extract_text()
        link = f"https://hygie.example/c/{delivery.token}/"
        assert link in text.replace("\n", "")
        assert "O'Brien <b>" in text  # escaped in the HTML, shown as typed
        annotations = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
        assert link in {a["/A"]["/URI"] for a in annotations if "/A" in a}
        # The QR code is drawn in (an image), fetched from nowhere.
        assert reader.pages[0].images
    # Each PDF is its recipient's: the two differ.
    contents = [
        next(iter(r.message.iter_attachments())).get_content() for r in smtp_server.messages
    ]
    assert contents[0] != contents[1]


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_an_attachment_cannot_fetch_anything_remote(organisation, smtp_server, monkeypatch):
    from hygie.lib import pdf

    asked: list[tuple[str, bool]] = []
    real = pdf.fetch_local

    def spy(url: str) -> tuple[bytes, str]:
        try:
            found = real(url)
        except pdf.BlockedFetch:
            asked.append((url, False))
            raise
        asked.append((url, True))
        return found

    monkeypatch.setattr(pdf, "fetch_local", spy)
    _send(organisation, '<p>{{ lien }}</p><img src="https://tracker.example/x.png">')
    assert ("https://tracker.example/x.png", False) in asked  # refused, never fetched
    assert len(smtp_server.messages) == 2  # and the messages still went out


@pytest.mark.parametrize(
    ("name", "html", "field"),
    [
        ("facture.exe", "<p>{{ lien }}</p>", "attachment_name"),
        ("../facture.pdf", "<p>{{ lien }}</p>", "attachment_name"),
        ("facture.pdf", "<p>{{ inconnu }}</p>", "attachment_html"),
        ("facture.pdf", "", "attachment_html"),
    ],
)
def test_bad_attachments_are_refused_before_launch(organisation, name, html, field):
    m = mailing(organisation)
    variant = m.variants.get()
    variant.attachment_name, variant.attachment_html = name, html
    with pytest.raises(ValidationError) as refused:
        check_content(variant, m.channel)
    assert field in refused.value.message_dict
