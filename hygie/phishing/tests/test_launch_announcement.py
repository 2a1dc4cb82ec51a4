"""The launch confirmation says beforehand that no announcement was recorded (a launch
would be refused), links to where it is recorded and offers no launch button to press."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from hygie.delivery.models import Delivery, MailingStatus
from hygie.phishing.models import SimulationAnnouncement
from hygie.testing.text import plain

WARNING = "Cette simulation ne peut pas encore être lancée : aucune annonce n’a été enregistrée."


def _launch_button(html: str) -> str:
    found = re.search(r'<button class="button button-primary" type="submit"[^>]*>', html)
    assert found, html
    return found.group(0)


def test_the_confirmation_warns_when_no_announcement_was_recorded(console, admin, simulation):
    client = console(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    url = reverse("phishing:launch_confirm", args=[simulation.pk])

    html = client.get(url).content.decode()
    assert WARNING in plain(html)
    assert f'href="{reverse("phishing:simulations")}#announce-title"' in html
    assert "Enregistrer l’annonce" in plain(html)
    assert " disabled" in _launch_button(html)

    # Pressing it anyway (a stale page) is still refused and sends nothing.
    client.post(
        reverse("phishing:results", args=[simulation.pk]), {"action": "launch", "confirmed": "yes"}
    )
    simulation.mailing.refresh_from_db()
    assert simulation.mailing.status == MailingStatus.DRAFT
    assert not Delivery.objects.exists()

    SimulationAnnouncement.objects.create(
        organisation=simulation.organisation, announced_on=date(2026, 9, 1), channel="email"
    )
    html = client.get(url).content.decode()
    assert WARNING not in plain(html)
    assert "disabled" not in _launch_button(html)
