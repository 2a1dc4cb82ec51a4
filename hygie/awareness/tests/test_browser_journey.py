"""A capsule from the email to the results, in a real browser on a phone-sized screen."""

from __future__ import annotations

import contextlib
import re
from datetime import time

import pytest
from django.test import Client

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.awareness.models import QuizAttempt
from hygie.awareness.services import campaign_create
from hygie.conftest import sign_in
from hygie.delivery import sending
from hygie.delivery.models import Delivery
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.testing.text import plain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_BUDGET_BYTES = 60_000


def test_capsule_read_and_quiz_answered_on_a_phone(
    live_server, browser_page, smtp_server, organisation, admin
):
    capsules_sync()
    organisation.anonymity_threshold = 1
    organisation.save()
    Person.objects.create(
        organisation=organisation,
        email="elise@example.org",
        first_name="Élise",
        last_name="Durand",
        civility="dr",
    )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    capsule = Capsule.objects.get(slug="mots-de-passe-double-authentification", language="fr")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Mots de passe",
        capsule=capsule,
        segment=segment,
    )
    mailing = campaign.mailing
    mailing.window_days, mailing.window_start, mailing.window_end = (
        list(range(7)),
        time(0, 0),
        time(23, 59, 59),
    )
    mailing.save()
    mailing_launch(mailing=mailing, actor=Actor.staff(admin))
    Delivery.objects.update(next_attempt_at=mailing.launched_at)
    sending.send_due("w1")

    # The email as received over SMTP carries the personal link.
    text = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/c/[\w-]+/", text).group(0)
    path = "/" + link.split("/", 3)[3]

    # A phone, as a person would use: headless Chromium's own user agent is (rightly)
    # classified as a robot by the capsule page.
    phone = browser_page.context.browser.new_context(
        locale="fr-FR",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    )
    page = phone.new_page()
    requests: list[str] = []
    weight = {"bytes": 0}

    def on_response(response):
        requests.append(response.url)
        with contextlib.suppress(Exception):  # redirects have no body
            weight["bytes"] += len(response.body())

    page.on("response", on_response)
    page.goto(live_server.url + path)
    assert plain(page.get_by_role("heading", level=1).inner_text()) == capsule.title
    assert all(url.startswith(live_server.url) for url in requests), requests
    assert weight["bytes"] < PAGE_BUDGET_BYTES

    page.get_by_role("link", name="je connais déjà", exact=False).click()
    for index, question in enumerate(capsule.quiz):
        right = next(n for n, c in enumerate(question["choices"]) if c.get("correct"))
        page.locator(f"#q{index}c{right}").check()
    page.get_by_role("button", name="réponses", exact=False).click()
    assert f"{len(capsule.quiz)} bonnes réponses sur {len(capsule.quiz)}" in (
        page.get_by_test_id("quiz-score").inner_text()
    )
    assert QuizAttempt.objects.get().score == len(capsule.quiz)

    # The organisation sees the result in its console.
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
    page.goto(f"{live_server.url}/console/awareness/{campaign.pk}/")
    figures = page.get_by_test_id("awareness-results").inner_text()
    assert "1 ont ouvert la capsule" in " ".join(figures.split())
    assert "100" in page.get_by_test_id("results-by-question").inner_text()
    phone.close()


PHONE = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
}
DESKTOP = {
    "viewport": {"width": 1280, "height": 800},
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Safari/537.36",
}


def shown_choices(page, index: int) -> list[str]:
    return page.locator(f'input[name="q{index}"]').evaluate_all("els => els.map(e => e.value)")


def test_two_readers_see_the_same_quiz_in_two_orders_and_the_secretary_her_own_words(
    live_server, browser_page, smtp_server, organisation, admin
):
    capsules_sync()
    for email, profession, role in (
        ("dr@example.org", "doctor", "holder"),
        ("claire@example.org", "secretary", "secretary"),
    ):
        Person.objects.create(
            organisation=organisation,
            email=email,
            last_name="Durand",
            profession=profession,
            practice_role=role,
        )
    segment = Segment.objects.create(organisation=organisation, name="Équipe")
    capsule = Capsule.objects.get(slug="fraude-telephone-sms", language="fr")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Fraudes",
        capsule=capsule,
        segment=segment,
    )
    mailing = campaign.mailing
    mailing.window_days, mailing.window_start, mailing.window_end = (
        list(range(7)),
        time(0, 0),
        time(23, 59, 59),
    )
    mailing.save()
    mailing_launch(mailing=mailing, actor=Actor.staff(admin))
    Delivery.objects.update(next_attempt_at=mailing.launched_at)
    sending.send_due("w1")
    tokens = dict(Delivery.objects.values_list("person__email", "token"))
    browser = browser_page.context.browser
    common = [i for i, q in enumerate(capsule.quiz) if not q.get("roles")]

    orders = {}
    texts = {}
    for email, device in (("dr@example.org", DESKTOP), ("claire@example.org", PHONE)):
        context = browser.new_context(locale="fr-FR", **device)
        page = context.new_page()
        url = f"{live_server.url}/c/{tokens[email]}/"
        page.goto(url)
        orders[email] = [shown_choices(page, i) for i in common]
        texts[email] = page.locator("article").inner_text()
        # The order stays put for that reader's link.
        page.reload()
        assert [shown_choices(page, i) for i in common] == orders[email]
        context.close()

    assert orders["dr@example.org"] != orders["claire@example.org"]
    for doctor, secretary in zip(
        orders["dr@example.org"], orders["claire@example.org"], strict=True
    ):
        assert sorted(doctor) == sorted(secretary)
    assert "Votre script à l'accueil" in texts["claire@example.org"]
    assert "Un script pour votre secrétaire" not in texts["claire@example.org"]
    assert "Un script pour votre secrétaire" in texts["dr@example.org"]
