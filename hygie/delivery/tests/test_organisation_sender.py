"""What a practitioner receives comes from their organisation, never from the platform."""

from __future__ import annotations

import base64

import dkim
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hygie.audience.models import Person
from hygie.delivery.models import SendingProfile
from hygie.portal.services import links_send
from hygie.reporting.models import Report
from hygie.reporting.replies import auto_reply, handler_answer


@pytest.fixture
def union(organisation):
    organisation.name = "Union régionale des professionnels de santé"
    organisation.brand_name = "URPS Occitanie"
    organisation.name_article = "l'"
    organisation.sender_name = "URPS Occitanie – Cybersécurité"
    organisation.sender_email = "securite@urps-occitanie.example"
    organisation.reply_to_email = "contact@urps-occitanie.example"
    organisation.save()
    return organisation


@pytest.fixture
def dkim_record(union):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    SendingProfile.objects.update_or_create(
        organisation=union,
        defaults={
            "dkim_domain": "urps-occitanie.example",
            "dkim_selector": "s1",
            "dkim_private_key": key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        },
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def assert_from_the_union(message, record) -> str:
    data = message.message().as_bytes()
    assert message.from_email == "URPS Occitanie – Cybersécurité <securite@urps-occitanie.example>"
    assert message.reply_to == ["contact@urps-occitanie.example"]
    assert data.startswith(b"DKIM-Signature:")
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
    text = message.body + message.alternatives[0][0] + message.subject
    assert "Hygie" not in text and b"hygie" not in data.lower()
    return text


def test_the_sign_in_link_comes_from_the_union_signed(
    union, dkim_record, django_capture_on_commit_callbacks
):
    Person.objects.create(organisation=union, email="dr.roux@example.org", last_name="Roux")
    with django_capture_on_commit_callbacks(execute=True):
        links_send(address="dr.roux@example.org")
    text = assert_from_the_union(mail.outbox[0], dkim_record)
    assert "votre espace personnel (l'URPS Occitanie)" in text


def test_replies_to_reports_come_from_the_union(
    union, dkim_record, django_capture_on_commit_callbacks
):
    report = Report.objects.create(
        organisation=union, reporter_email="dr.roux@example.org", subject="Facture impayée"
    )
    with django_capture_on_commit_callbacks(execute=True):
        auto_reply(report, simulation=None, auto_generated="")
    handler_answer(report, answer="phishing", note="")  # sent at once
    assert len(mail.outbox) == 2
    received = assert_from_the_union(mail.outbox[0], dkim_record)
    assert "à l'URPS Occitanie" in received
    assert_from_the_union(mail.outbox[1], dkim_record)


def test_without_a_sender_address_the_union_name_is_still_the_sender(
    organisation, django_capture_on_commit_callbacks
):
    organisation.sender_email, organisation.sender_name = "", ""
    organisation.brand_name, organisation.name_article = "Conseil départemental", "le"
    organisation.save()
    report = Report.objects.create(organisation=organisation, reporter_email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        auto_reply(report, simulation=None, auto_generated="")
    message = mail.outbox[0]
    assert message.from_email.startswith("Conseil départemental <")
    assert "Hygie" not in message.from_email.split("<")[0]
    # French contractions with the stored article: "au Conseil", not "à le Conseil".
    assert "signalé ce message au Conseil départemental" in message.body


def test_in_english_the_article_is_left_out(union):
    with translation.override("en"):
        assert union.in_sentence == "URPS Occitanie"
    with translation.override("fr"):
        assert union.in_sentence == "l'URPS Occitanie"


def test_public_pages_do_not_show_the_platform_name(client, union):
    page = client.get(reverse("incidents:org_start", kwargs={"organisation": union.slug}))
    body = page.content.decode()
    assert "<title>" in body and "Hygie" not in body.split("</title>")[0]
    assert "proposé par l&#x27;URPS Occitanie" in body
