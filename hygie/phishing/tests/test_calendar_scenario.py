"""A scenario whose lure is a calendar invitation (.ics): each person's event carries
their own link, is dated ahead of the sending, and is explained after a click."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery import attachments
from hygie.delivery.models import Delivery
from hygie.phishing.models import Scenario
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window

SLUG = "cpts-reunion-invitation-ics"


def unfolded(ics: str) -> str:
    return ics.replace("\r\n ", "")


def test_the_invitation_carries_each_persons_link(
    simulation, organisation, admin, client, smtp_server, console
):
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Réunion",
        scenarios=[Scenario.objects.get(slug=SLUG, organisation__isnull=True)],
        segment=simulation.segment,
    )
    open_window(campaign.mailing)
    variant = campaign.mailing.variants.get()
    sample = console(admin).get(
        reverse("phishing:campaign_preview", args=[campaign.pk]), {"attachment": variant.pk}
    )
    assert sample["Content-Type"].startswith("text/calendar")
    assert f"/{campaign.path_prefix}/exemple/" in unfolded(sample.content.decode())
    client.logout()
    launch_and_send(campaign)
    first = Delivery.objects.filter(mailing=campaign.mailing).order_by("pk").first()
    received = next(m for m in smtp_server.messages if m.recipients == [first.recipient])
    (attachment,) = list(received.message.iter_attachments())
    assert attachment.get_filename() == "reunion-pleniere-cpts.ics"
    assert attachment.get_content_type() == "text/calendar"
    ics = attachment.get_payload(decode=True).decode()
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    event = unfolded(ics)
    link = f"http://localhost:8000/{campaign.path_prefix}/{first.token}/"
    assert f"URL:{link}" in event
    assert "BEGIN:VEVENT" in event and "SUMMARY:Réunion plénière CPTS - projet de santé" in event
    # Commas in text are escaped; the event is ahead of the sending.
    assert "permanence des soins. Documents" in event and "parcours\\, permanence" in event
    start = re.search(r"DTSTART:(\d{8}T\d{6}Z)", event).group(1)
    assert datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) > timezone.now()

    page = client.get(f"/{campaign.path_prefix}/{first.token}/", **PERSON).content.decode()
    assert "reunion-pleniere-cpts.ics" in page
    assert 'id="flag-2">identifiez-vous avec votre compte de messagerie' in page
    assert "DESCRIPTION:" not in page


def test_an_invitation_needs_its_properties():
    assert attachments.problems("x.ics", "SUMMARY:Réunion\nURL:{{ lien }}") == {}
    assert "attachment_html" in attachments.problems("x.ics", "<p>Réunion</p>")
    assert "attachment_html" in attachments.problems("x.ics", "URL:{{ lien }}")
    assert "attachment_name" in attachments.problems("x.exe", "SUMMARY:Réunion")
