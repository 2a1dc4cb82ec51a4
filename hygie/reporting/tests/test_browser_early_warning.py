"""Early warning in a real browser: three members forward the same lure, staff see
one group, warn a département, every reporter hears what it was, and the lure becomes
a draft exercise that staff review and publish."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from django.test import Client

from hygie.audience.models import Person, Segment
from hygie.conftest import sign_in
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, SendingProfile
from hygie.phishing.models import Scenario, ScenarioStatus
from hygie.reporting import polling
from hygie.reporting.models import LureGroup, Report
from hygie.reporting.tests import forwards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def text_of(received) -> str:  # type: ignore[no-untyped-def]
    body = received.message.get_body(("plain",))
    return " ".join(body.get_content().split()) if body is not None else ""


def test_three_forwards_become_one_alert_and_three_verdicts(
    live_server, browser_page, smtp_server, organisation, admin, mailbox, imap_account
):
    SendingProfile.objects.update_or_create(
        organisation=organisation, defaults={"rate_per_minute": 600}
    )
    Segment.objects.create(
        organisation=organisation, name="Gironde", filters={"departements": ["33"]}
    )
    reporters = [
        Person.objects.create(
            organisation=organisation,
            email=f"dr.membre{n}@cabinet-bordeaux.example",
            first_name="Jeanne",
            last_name=f"Membre{n}",
            departement="33",
        )
        for n in range(3)
    ]
    colleague = Person.objects.create(
        organisation=organisation, email="dr.collegue@cabinet-arcachon.example", departement="33"
    )
    elsewhere = Person.objects.create(
        organisation=organisation, email="dr.landes@cabinet-dax.example", departement="40"
    )
    lure = forwards.Lure()
    for person, client in zip(
        reporters, (forwards.gmail, forwards.outlook_windows, forwards.as_rfc822), strict=True
    ):
        raw = client(replace(lure, to=person.email), "fr")
        imap_account.deliver(raw.replace(forwards.REPORTER.encode(), person.email.encode()))
    assert polling.poll(mailbox).processed == 3
    acknowledgements = len(smtp_server.messages)

    staff = sign_in(Client(), admin)
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": "console_session",
                "value": staff.cookies["console_session"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/console/reports/circulation/")
    rows = page.get_by_test_id("groups").locator("tbody tr")
    assert rows.count() == 1
    assert "3" in rows.first.locator("td").nth(1).inner_text()
    rows.first.get_by_role("link").click()
    assert "3 membres l'ont signalé" in page.get_by_test_id("group-spread").inner_text()
    assert "hxxps[://]" in page.get_by_test_id("annotated-text").inner_text()

    page.get_by_label("Segments à prévenir").select_option(label="Gironde")
    page.get_by_role("button", name="Envoyer l'alerte").click()
    page.wait_for_selector("[data-testid=alert-sent]")
    assert "Arnaque confirmée" in page.get_by_test_id("group-status").inner_text()

    group = LureGroup.objects.get()
    alert = Delivery.objects.filter(mailing=group.alert_email)
    # The alert and the verdicts to the reporters (queued with it) are all sent.
    for _ in range(50):
        sending.send_due("w1")
        if not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists():
            break
        time.sleep(0.2)
    warned = {d.recipient for d in alert.filter(status=DeliveryStatus.SENT)}
    assert warned == {p.email for p in [*reporters, colleague]}
    assert elsewhere.email not in warned

    received = smtp_server.messages[acknowledgements:]
    verdicts = [m for m in received if "bien une arnaque" in text_of(m)]
    assert sorted(r for m in verdicts for r in m.recipients) == sorted(p.email for p in reporters)
    assert all("alerter 4 confrères" in text_of(m) for m in verdicts)
    assert Report.objects.filter(verdict_sent_at__isnull=False).count() == 3

    page.reload()
    assert "Alerte partie" in page.get_by_test_id("alert-minutes").inner_text()

    # The lure becomes an exercise: a draft, never offered until it is published.
    page.get_by_role("button", name="Transformer en exercice").click()
    page.wait_for_selector("[data-testid=draft]")
    assert "Brouillon" in page.get_by_test_id("scenario-status").inner_text()
    shown = page.locator("main").inner_text()
    for person in reporters:
        assert person.email not in shown and person.last_name not in shown
    assert "ameli" not in shown.lower()
    assert Scenario.objects.get(organisation=organisation).status == ScenarioStatus.DRAFT
    # Staff edit it in the scenario editor: the new version is still a draft.
    page.get_by_role("link", name="Modifier (crée une nouvelle version)").click()
    page.get_by_label("Objet").fill("Votre remboursement est en attente")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.wait_for_selector("[data-testid=draft]")
    draft = Scenario.objects.get(organisation=organisation, version=2)
    assert draft.status == ScenarioStatus.DRAFT
    assert draft.data["subject"] == "Votre remboursement est en attente"
    page.get_by_role("button", name="Publier ce scénario").click()
    page.wait_for_selector("text=Scénario publié")
    assert "Publié" in page.get_by_test_id("scenario-status").inner_text()
    assert page.get_by_test_id("draft").count() == 0
    draft.refresh_from_db()
    assert draft.status == ScenarioStatus.PUBLISHED and draft.published_by == admin
