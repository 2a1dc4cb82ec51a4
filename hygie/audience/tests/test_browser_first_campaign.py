"""A union's first campaign in a real browser, on a desktop and on a phone screen: a
member file as unions keep it imports every member with warnings; the capsule greets
each person right and comes from the union; an evening launch says when it will go out."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hygie.audience.models import Person, Segment
from hygie.audience.tests.helpers import write_csv
from hygie.conftest import sign_in
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Mailing
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
EVENING = datetime(2026, 6, 2, 21, 40, tzinfo=ZoneInfo("Europe/Paris"))  # a Tuesday
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

MEMBER_FILE = [
    ["Nom", "Prénom", "Email", "Département", "Portable", "Spécialité"],
    ["LEFÈVRE", "Anne", "anne.lefevre@example.org", "Gironde", "06 12 34 56 78", "MG"],
    ["Payet", "Jean", "jean.payet@example.org", "La Réunion", "0692 12 34 56", ""],
    ["Bellay", "Marc", "marc.bellay@example.org", "martinique", "0696 12 34 56", ""],
    ["Cayol", "Léa", "lea.cayol@example.org", "Guyane", "0694 20 12 34", ""],
    ["Santoni", "Ange", "ange.santoni@example.org", "Corse-du-Sud", "06 12 AB 56 78", ""],
]


def signed_in(page, live_server, admin) -> None:
    staff = sign_in(Client(), admin)
    page.context.add_cookies(
        [
            {
                "name": "console_session",
                "value": staff.cookies["console_session"].value,
                "url": live_server.url,
            }
        ]
    )


@IMMEDIATE_TASKS
@pytest.mark.parametrize("screen", sorted(VIEWPORTS))
def test_first_campaign_of_a_union(
    live_server, browser_page, smtp_server, organisation, admin, tmp_path, monkeypatch, screen
):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[screen])
    organisation.brand_name, organisation.name_article = "URPS Occitanie", "l'"
    organisation.sender_name = "URPS Occitanie"
    organisation.sender_email = "securite@urps-occitanie.example"
    organisation.save()
    signed_in(page, live_server, admin)

    # 1. The member file, without civility, with département names, overseas mobiles
    # and one bad phone: every member is imported, the bad value left out with a warning.
    path = write_csv(tmp_path / "adherents.csv", MEMBER_FILE)
    page.goto(f"{live_server.url}/console/audience/imports/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier").click()
    page.get_by_role("button", name="Analyser le fichier").click()
    page.get_by_role(
        "button", name="Importer : 5 nouveaux, 0 mis à jour".replace(" :", "\u00a0:")
    ).click()
    counts = " ".join(page.get_by_test_id("import-counts").inner_text().split())
    assert "5 nouveaux" in counts and "0 rejetés" in counts
    assert "1 importés avec une valeur ignorée" in counts
    warnings = page.get_by_test_id("import-warnings").inner_text()
    assert "06 12 AB 56 78" in warnings
    assert Person.objects.count() == 5
    assert Person.objects.get(email="jean.payet@example.org").mobile_phone == "+262692123456"
    assert Person.objects.get(email="anne.lefevre@example.org").departement == "33"

    # 2. The capsule campaign, created on its form, which shows the sending window with
    # the organisation's default (working days, 08:00 to 19:00, its time zone); the
    # preview shows real recipients, greeted right.
    capsules_sync()
    Segment.objects.create(organisation=organisation, name="Tous")
    capsule = Capsule.objects.get(slug="sauvegardes", language="fr")
    page.goto(f"{live_server.url}/console/awareness/new/")
    page.get_by_label("Nom").fill("Sauvegardes")
    page.get_by_label("Capsule").select_option(label=str(capsule))
    page.get_by_label("Segment").select_option(label="Tous")
    days = {
        day: page.get_by_label(day, exact=True).is_checked()
        for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    }
    assert [day for day, checked in days.items() if checked] == [
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
    ]
    assert page.get_by_label("Envoi à partir de").input_value() == "08:00"
    assert page.get_by_label("Envoi jusqu'à").input_value() == "19:00"
    assert "Europe/Paris" in page.locator("form.form").inner_text()
    page.get_by_role("button", name="Créer la campagne").click()
    page.wait_for_url("**/console/mailings/*/")
    mailing = Mailing.objects.get(kind="awareness")
    assert (mailing.window_days, mailing.window_start, mailing.window_end) == (
        [0, 1, 2, 3, 4],
        time(8),
        time(19),
    )
    previews = page.get_by_test_id("recipient-previews").inner_text()
    assert "Bonjour Docteur Lefèvre," in previews

    # 3. Launched in the evening: the confirmation says that nothing leaves now, and when
    # the first and the last message will leave in the window.
    monkeypatch.setattr(timezone, "now", lambda: EVENING.astimezone(ZoneInfo("UTC")))
    page.get_by_role("link", name="Lancer…").click()
    notice = page.get_by_test_id("outside-window").inner_text()
    assert "21:40" in notice and "mercredi 3 juin, 08:00" in notice  # when the window opens
    first = " ".join(page.get_by_test_id("first-send").inner_text().split())
    last = " ".join(page.get_by_test_id("last-send").inner_text().split())
    assert first.startswith("Premier message : mercredi 3 juin 2026, ")
    assert last.startswith("Dernier message : vers mercredi 3 juin 2026, ")
    for line in (first, last):
        assert "08:00" <= line[-5:] <= "19:00"
    page.get_by_role("button", name="Lancer vers 5 destinataires").click()
    times = [
        t.astimezone(ZoneInfo("Europe/Paris"))
        for t in Delivery.objects.values_list("scheduled_at", flat=True)
    ]
    assert len(times) == 5 and all(t.hour >= 8 and t.date() > EVENING.date() for t in times)

    # 4. What each member receives greets them right and comes from the union.
    monkeypatch.undo()
    mailing.refresh_from_db()
    mailing.window_days = list(range(7))
    mailing.window_start, mailing.window_end = time(0, 0), time(23, 59, 59)
    mailing.save()
    Delivery.objects.update(next_attempt_at=timezone.now())
    for _ in range(3):
        sending.send_due("w1")
    assert len(smtp_server.messages) == 5
    for received in smtp_server.messages:
        message = received.message
        assert str(message["From"]) == "URPS Occitanie <securite@urps-occitanie.example>"
        first_line = message.get_body(("plain",)).get_content().splitlines()[0]
        assert first_line.startswith("Bonjour Docteur ") and "  " not in first_line
