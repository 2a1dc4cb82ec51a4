"""Passing a lure on: the original message and its links, downloaded, never sent."""

from __future__ import annotations

import itertools
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse

from hygie.accounts.models import AuditEntry
from hygie.reporting.intake import ingest
from hygie.reporting.models import LureGroup, Mailbox
from hygie.reporting.tests import forwards

UIDS = itertools.count(1)


@pytest.fixture
def plain_mailbox(organisation) -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def group_of(mailbox: Mailbox, *raws: bytes) -> LureGroup:
    reports = [
        ingest(mailbox=mailbox, uidvalidity=1, uid=next(UIDS), raw=raw, size=len(raw))
        for raw in raws
    ]
    assert reports[0] is not None
    reports[0].refresh_from_db()
    return LureGroup.objects.get(pk=reports[0].group_id)


def test_the_original_eml_and_the_links_are_downloads(console, admin, plain_mailbox):
    lure = forwards.Lure()
    group = group_of(plain_mailbox, forwards.gmail(lure, "fr"), forwards.as_rfc822(lure, "en"))
    client = console(admin)
    mail.outbox.clear()
    eml = client.get(reverse("reporting:group_export", args=[group.pk, "eml"]))
    assert eml.status_code == 200
    assert eml["Content-Disposition"] == f'attachment; filename="leurre-{group.pk}.eml"'
    original = message_from_bytes(eml.content)
    # The attached original, with its own headers, not the member's forward.
    assert original["Message-ID"] == "<lure-7781@ameli-remboursement-fr.example>"
    assert "spf=fail" in original["Authentication-Results"]
    assert forwards.REPORTER_NAME.encode() not in eml.content
    urls = client.get(reverse("reporting:group_export", args=[group.pk, "urls"]))
    assert urls["Content-Disposition"].startswith("attachment;")
    assert urls.content.decode().splitlines() == [lure.link]
    assert mail.outbox == []  # nothing is sent to anyone
    assert AuditEntry.objects.filter(action="lure_group.exported").count() == 2
    page = client.get(reverse("reporting:group", args=[group.pk])).content.decode()
    assert (
        "https://www.signal-spam.fr/" in page
        and "https://www.internet-signalement.gouv.fr/" in page
    )


def test_an_unknown_export_is_refused_with_a_french_message(console, admin, plain_mailbox):
    group = group_of(plain_mailbox, forwards.gmail(forwards.Lure(), "fr"))
    response = console(admin).get(
        reverse("reporting:group_export", args=[group.pk, "pdf"]), follow=True
    )
    assert "Choisissez le message ou la liste des liens." in response.content.decode()


def test_another_organisation_cannot_download(console, outsider, plain_mailbox):
    group = group_of(plain_mailbox, forwards.gmail(forwards.Lure(), "fr"))
    response = console(outsider).get(reverse("reporting:group_export", args=[group.pk, "eml"]))
    assert response.status_code == 404
