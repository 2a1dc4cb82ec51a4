"""The local mail catcher: a real SMTP server keeping .eml files, shown in the console."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from django.urls import reverse

from hygie.operations.mail_catcher import caught_messages, start_catcher
from hygie.testing.smtp import free_port
from hygie.testing.text import plain


@pytest.fixture
def catcher(settings):
    settings.MAIL_CATCHER_ENABLED = True
    port = free_port()
    controller = start_catcher(settings.MAIL_CATCHER_DIR, "127.0.0.1", port)
    yield port
    controller.stop()


def send(port: int) -> None:
    message = EmailMessage()
    message["From"] = "URPS <securite@urps.example>"
    message["To"] = "Dr Élise Durand <elise@example.org>"
    message["Subject"] = "Capsule : les mots de passe"
    message.set_content("Bonjour Élise, version texte.")
    message.add_alternative(
        '<p style="color:red">Bonjour <b>Élise</b></p><script>alert(1)</script>', subtype="html"
    )
    with smtplib.SMTP("127.0.0.1", port) as connection:
        connection.send_message(message)


def test_caught_mail_is_kept_and_shown_to_superusers(console, admin, settings, catcher):
    send(catcher)
    files = caught_messages(settings.MAIL_CATCHER_DIR)
    assert len(files) == 1
    admin.is_superuser = True
    admin.save()
    client = console(admin)
    listing = client.get(reverse("operations:catcher_list"))
    assert "Capsule\u00a0: les mots de passe" in listing.content.decode()  # French typography
    detail = client.get(reverse("operations:catcher_detail", args=[files[0].name]))
    body = detail.content.decode()
    assert "Bonjour Élise, version texte." in body
    assert "Dr Élise Durand" in body
    html = client.get(reverse("operations:catcher_html", args=[files[0].name]))
    policy = html["Content-Security-Policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy


def test_other_staff_and_bad_names_get_nothing(console, admin, settings, catcher):
    send(catcher)
    name = caught_messages(settings.MAIL_CATCHER_DIR)[0].name
    client = console(admin)  # an organisation administrator, not a platform superuser
    assert client.get(reverse("operations:catcher_detail", args=[name])).status_code == 403
    admin.is_superuser = True
    admin.save()
    assert (
        client.get(reverse("operations:catcher_detail", args=["..%2F..%2Fetc"])).status_code == 404
    )
    settings.MAIL_CATCHER_ENABLED = False
    assert client.get(reverse("operations:catcher_list")).status_code == 404


def test_caught_mail_dates_are_local_and_french(console, admin, organisation, settings, catcher):
    message = EmailMessage()
    message["From"] = "URPS <securite@urps.example>"
    message["To"] = "elise@example.org"
    message["Reply-To"] = "contact@urps.example"
    message["Subject"] = "Capsule"
    message["Date"] = "Mon, 07 Dec 2026 06:30:00 +0000"
    message.set_content("Bonjour.")
    with smtplib.SMTP("127.0.0.1", catcher) as connection:
        connection.send_message(message)
    admin.is_superuser = True
    admin.save()
    client = console(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    name = caught_messages(settings.MAIL_CATCHER_DIR)[0].name
    listing = plain(client.get(reverse("operations:catcher_list")).content.decode())
    assert "7 décembre 2026, 07:30" in listing  # Paris is UTC+1 in December
    assert "+0000" not in listing and "Mon," not in listing
    detail = plain(client.get(reverse("operations:catcher_detail", args=[name])).content.decode())
    assert "<dt>Date</dt><dd><time" in detail and "lundi 7 décembre 2026, 07:30" in detail
    assert "<dt>Répondre à</dt>" in detail and "<dt>Objet</dt>" in detail
    organisation.time_zone = "Indian/Reunion"
    organisation.save()
    listing = plain(client.get(reverse("operations:catcher_list")).content.decode())
    assert "7 décembre 2026, 10:30" in listing
