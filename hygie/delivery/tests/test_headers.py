"""A mailing's and a delivery's own headers (an allow-list), and typography by language."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import dkim
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from hygie.accounts.actors import Actor
from hygie.delivery import sending
from hygie.delivery.headers import AUTO_REPLY, headers_checked, reply_headers
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, Variant
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import dkim_signing, mailing, people
from hygie.lib.typography import NBSP, NNBSP

INJECTED = "<lure-1@example.org>\r\nBcc: victim@example.org"


def launch(m: Mailing) -> None:
    mailing_launch(mailing=m, actor=Actor.system())
    Delivery.objects.filter(mailing=m).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def drain() -> None:
    while sending.send_due("w1"):
        pass


def test_a_mailing_and_each_delivery_carry_their_own_headers(organisation, smtp_server):
    people(organisation, 2)
    m = mailing(organisation, headers=headers_checked(AUTO_REPLY))
    launch(m)
    answered = Delivery.objects.get(recipient="dr0@example.org")
    answered.headers = reply_headers("<fwd-42@cabinet.example>")
    answered.save(update_fields=["headers"])
    drain()
    by_recipient = {r.recipients[0]: r.message for r in smtp_server.messages}
    assert set(by_recipient) == {"dr0@example.org", "dr1@example.org"}
    for message in by_recipient.values():
        assert message["Auto-Submitted"] == "auto-replied"
        assert message["X-Auto-Response-Suppress"] == "All"
    assert by_recipient["dr0@example.org"]["In-Reply-To"] == "<fwd-42@cabinet.example>"
    assert by_recipient["dr0@example.org"]["References"] == "<fwd-42@cabinet.example>"
    assert by_recipient["dr1@example.org"]["In-Reply-To"] is None
    assert by_recipient["dr1@example.org"]["References"] is None


@pytest.mark.parametrize(
    ("headers", "wrong"),
    [
        ({"Bcc": "victim@example.org"}, "« Bcc » n’est pas autorisé"),
        ({"Content-Type": "text/html"}, "« Content-Type » n’est pas autorisé"),
        ({"In-Reply-To": INJECTED}, "« In-Reply-To » n’est pas valide"),
        ({"In-Reply-To": "<a@b>\n"}, "« In-Reply-To » n’est pas valide"),
        ({"References": "<a@b>\r\n <c@d>"}, "« References » n’est pas valide"),
        ({"In-Reply-To": "<a b@c>"}, "« In-Reply-To » n’est pas valide"),
        ({"Auto-Submitted": "no"}, "« Auto-Submitted » n’est pas valide"),
        ({"Auto-Submitted": 1}, "« Auto-Submitted » n’est pas valide"),
        (["Auto-Submitted", "auto-replied"], "doivent être"),
    ],
)
def test_headers_outside_the_list_or_of_the_wrong_form_are_refused_in_french(
    organisation, headers, wrong
):
    with translation.override("fr"), pytest.raises(ValidationError, match=wrong):
        headers_checked(headers)
    # The models' validation says the same (a mailing saved through a form).
    m = mailing(organisation)
    m.headers = headers
    with pytest.raises(ValidationError):
        m.full_clean()


def test_the_allowed_headers_pass_their_checks():
    allowed = {
        **AUTO_REPLY,
        "In-Reply-To": "<CAF+x=Yz_1@mail.gmail.com>",
        "References": "<a.1@host.example> <b-2@host.example>",
    }
    assert headers_checked(allowed) == allowed


@pytest.mark.parametrize(
    ("message_id", "expected"),
    [
        ("<fwd-1@cabinet.example>", "<fwd-1@cabinet.example>"),
        ("  <fwd-1@cabinet.example> ", "<fwd-1@cabinet.example>"),
        ("fwd-1@cabinet.example", "<fwd-1@cabinet.example>"),
        (INJECTED, None),
        ("<fwd-1@cabinet.example>\n", None),
        ("<fwd-1@cabinet.example> Bcc: victim@example.org", None),
        ("<no-at-sign>", None),
        ("<é@cabinet.example>", None),
        ("", None),
    ],
)
def test_threading_uses_only_a_plain_message_id(message_id, expected):
    headers = reply_headers(message_id)
    if expected is None:
        assert headers == {}
    else:
        assert headers == {"In-Reply-To": expected, "References": expected}
        assert headers_checked(headers) == headers


def test_a_forged_header_that_escaped_its_checks_is_never_sent(organisation, smtp_server):
    people(organisation, 2)
    launch(mailing(organisation))
    # Written past every check (a raw update): the engine checks again before sending.
    Delivery.objects.filter(recipient="dr0@example.org").update(headers={"In-Reply-To": INJECTED})
    drain()
    assert [r.recipients for r in smtp_server.messages] == [["dr1@example.org"]]
    assert all(r.message["Bcc"] is None for r in smtp_server.messages)
    forged = Delivery.objects.get(recipient="dr0@example.org")
    assert forged.status == DeliveryStatus.FAILED
    assert forged.last_error == "extra headers refused"


TEXT = "Hello {{ prenom }},\nThank you for your vigilance: checking is right! Ready?"


@pytest.mark.parametrize("language", ["en", "fr", ""])
def test_typography_follows_the_language_the_message_is_written_in(
    organisation, smtp_server, language
):
    assert organisation.language.startswith("fr")
    people(organisation, 1)
    m = mailing(
        organisation, subject="Thanks: {{ prenom }}, ready?", text=TEXT, html=f"<p>{TEXT}</p>"
    )
    Variant.objects.filter(mailing=m).update(language=language)
    launch(m)
    drain()
    [received] = smtp_server.messages
    message = received.message
    text = message.get_body(("plain",)).get_content()
    html = unescape(message.get_body(("html",)).get_content())  # &nbsp; read as NBSP
    subject = str(message["Subject"])
    if language == "en":
        assert "vigilance: checking is right! Ready?" in text
        assert "vigilance: checking is right! Ready?" in html
        assert subject == "Thanks: Élise, ready?"
        assert not {NBSP, NNBSP} & set(text + html + subject)
    else:  # written in French, or in the organisation's language (French)
        assert f"vigilance{NBSP}: checking is right{NNBSP}! Ready{NNBSP}?" in text
        assert f"vigilance{NBSP}: checking is right{NNBSP}! Ready{NNBSP}?" in html
        assert subject == f"Thanks{NBSP}: Élise, ready{NNBSP}?"


def test_the_extra_headers_are_signed_by_dkim(organisation, smtp_server):
    record = dkim_signing(organisation)
    people(organisation, 1)
    launch(mailing(organisation, headers=headers_checked(AUTO_REPLY)))
    Delivery.objects.update(headers=reply_headers("<fwd-42@cabinet.example>"))
    drain()
    data = smtp_server.messages[0].data
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
    signature = str(smtp_server.messages[0].message["DKIM-Signature"]).replace(" ", "")
    signed = re.search(r"h=([^;]*)", signature).group(1).lower().split(":")
    assert {"auto-submitted", "x-auto-response-suppress", "in-reply-to", "references"} <= set(
        signed
    )
    # Changing a signed header breaks the signature.
    forged = data.replace(b"<fwd-42@cabinet.example>", b"<fwd-43@cabinet.example>", 1)
    assert not dkim.verify(forged, dnsfunc=lambda name, timeout=5: record)


@pytest.mark.parametrize(("language", "greeting"), [("en", "Hello"), ("", "Bonjour")])
def test_the_values_follow_the_variants_language_without_a_query_per_message(
    organisation, django_assert_num_queries, language, greeting
):
    people(organisation, 1)
    m = mailing(organisation)
    Variant.objects.filter(mailing=m).update(language=language)
    launch(m)
    delivery = Delivery.objects.select_related(
        "mailing__organisation", "variant", "person__practice"
    ).get()
    with django_assert_num_queries(0):
        values = sending.recipient_values(delivery)
    assert values["greeting"].startswith(greeting)
