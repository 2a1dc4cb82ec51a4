"""The teachable moment shows what its clues point at (the sender's address, the link's
real domain), speaks to the reader's device, names no staff-internal wording, says
exactly who may see what, explains how to report, and leads to the personal space."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.delivery.models import Delivery
from hygie.phishing import teaching
from hygie.phishing.models import Scenario, SimulationCampaign
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window
from hygie.reporting.models import Mailbox
from hygie.testing.text import plain

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
ANDROID_HINTED = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/131.0"
TOUCH = 'data-testid="touch-wording"'
POINTER = 'data-testid="pointer-wording"'


def first_delivery(campaign: SimulationCampaign) -> Delivery:
    return Delivery.objects.filter(mailing=campaign.mailing).order_by("pk").first()


def explanation(client, campaign: SimulationCampaign, delivery: Delivery, **headers) -> str:
    url = f"/{campaign.path_prefix}/{delivery.token}/"
    response = client.post(url, {"identifiant": "x"}, **{**PERSON, **headers})
    assert response.status_code == 200
    return plain(response.content.decode())


def test_the_sender_address_and_the_link_domain_are_shown_and_highlighted(simulation, client):
    launch_and_send(simulation)
    delivery = first_delivery(simulation)
    page = explanation(client, simulation, delivery)
    address = delivery.variant.from_email
    host = urlsplit(delivery.mailing.link_template).hostname
    assert address.endswith("@espace-pro.example") and host
    # The full address, in the message's From line and beside the clue about the sender.
    assert f'<mark class="origin" data-testid="sender-address">{address}</mark>' in page
    flag_address = re.search(r'data-testid="flag-address">[^<]*<mark class="origin">([^<]+)<', page)
    assert flag_address and flag_address.group(1) == address
    # The link's real domain: in the summary, beside the link clue, and inside the link.
    origin = page[page.index('data-testid="origin"') : page.index("annotated-message")]
    assert f'<mark class="origin">{host}</mark>' in origin
    assert re.search(rf'data-testid="flag-domain">[^<]*<mark class="origin">{host}<', page)
    assert re.search(rf'//<mark class="origin" data-testid="link-domain">{host}</mark>[:/]', page)


@pytest.mark.parametrize(
    ("headers", "touch", "pointer"),
    [
        ({"HTTP_USER_AGENT": IPHONE}, True, False),
        ({"HTTP_USER_AGENT": ANDROID_HINTED, "HTTP_SEC_CH_UA_MOBILE": "?1"}, True, False),
        (
            {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"},
            False,
            True,
        ),
        # Nothing known: both, and the CSS media query (hover: none) picks one.
        ({"HTTP_USER_AGENT": "Mozilla/5.0"}, True, True),
    ],
)
def test_the_wording_fits_the_readers_device(simulation, client, headers, touch, pointer):
    launch_and_send(simulation)
    response = client.post(
        f"/{simulation.path_prefix}/{first_delivery(simulation).token}/",
        {"identifiant": "x"},
        **{**PERSON, **headers},
    )
    page = plain(response.content.decode())
    assert (TOUCH in page, POINTER in page) == (touch, pointer)
    assert ("appuyez longuement" in page) == touch
    assert ("@media (hover: none)" in page) == (touch and pointer)
    assert "User-Agent" in response["Vary"] and "Sec-CH-UA-Mobile" in response["Vary"]


def test_no_clue_of_a_shipped_scenario_speaks_of_a_mouse():
    # The page gives the device's own way to look at a link; the clues stay neutral.
    from hygie.phishing.content.scenarios import parse, scenario_files

    for path in scenario_files():
        data, _checksum = parse(path)
        for flag in data["red_flags"]:
            assert not re.search(r"souris|survol", flag["explanation"], re.I), path.name


def test_no_staff_internal_name_reaches_the_person(simulation, client, smtp_server):
    internal = "Vague Q4 - cibler les secrétaires distraits"
    simulation.name = internal
    simulation.save()
    simulation.mailing.name = internal
    simulation.mailing.save()
    launch_and_send(simulation)
    delivery = first_delivery(simulation)
    assert internal not in explanation(client, simulation, delivery)
    assert "Vague Q4" not in explanation(client, simulation, delivery)
    # Nor in the personal space, which shows the message's own subject.
    SimulationCampaign.objects.filter(pk=simulation.pk).update(ended_at=timezone.now())
    from hygie.portal.views.public import SESSION_PERSON, SESSION_UNTIL, _now_seconds

    session = client.session
    session[SESSION_PERSON], session[SESSION_UNTIL] = delivery.person_id, _now_seconds() + 600
    session.save()
    home = plain(client.get(reverse("portal:home")).content.decode())
    exercise = plain(client.get(reverse("portal:exercise", args=[delivery.pk])).content.decode())
    for page in (home, exercise):
        assert "Vague Q4" not in page
        assert delivery.variant.subject in page
    assert delivery.variant.from_email in exercise


def test_the_privacy_sentence_says_who_sees_what(simulation, client, organisation):
    organisation.anonymity_threshold = 7
    organisation.save()
    launch_and_send(simulation)
    page = explanation(client, simulation, first_delivery(simulation))
    privacy = re.search(r'data-testid="privacy">([^<]+)<', page).group(1)
    assert "au moins 7 personnes" in privacy
    assert "seuls ses administrateurs peuvent voir les résultats nominatifs" in privacy
    assert "journal" in privacy
    assert "personne d'autre" not in page.lower()


def _mailbox(organisation, address: str = "signalement@urps-test.example") -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, address=address, host="imap.example", username="s"
    )


def test_reporting_is_forwarding_to_the_reporting_address(simulation, client, organisation):
    _mailbox(organisation)
    launch_and_send(simulation)
    page = explanation(client, simulation, first_delivery(simulation))
    how = re.search(r'data-testid="how-to-report">(.+?)</p>', page, re.S).group(1)
    assert "transférez-le tel quel" in how
    assert "<strong>signalement@urps-test.example</strong>" in how


def test_the_lure_asks_to_forward_it_and_carries_no_report_link(
    simulation, organisation, admin, smtp_server
):
    scenario = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    with pytest.raises(ValidationError, match="reporting address"):
        campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Sans adresse",
            scenarios=[scenario],
            segment=simulation.segment,
            report_link=True,
        )
    assert SimulationCampaign.objects.count() == 1  # nothing created
    _mailbox(organisation)
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Avec la marche à suivre",
        scenarios=[scenario],
        segment=simulation.segment,
        report_link=True,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    message = smtp_server.messages[-1].message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (plain(text), plain(html)):
        assert "transférez-le à signalement@urps-test.example" in body
        assert "Signalez-le" not in body
        assert not re.search(r"/r/[\"\s]", body)  # the old in-message report link


def _space_value(delivery: Delivery) -> str:
    return teaching.space_link(delivery).rsplit("/exercice/", 1)[1].rstrip("/")


def test_the_personal_space_link_sends_the_person_their_link(
    simulation, client, django_capture_on_commit_callbacks
):
    launch_and_send(simulation)
    delivery = first_delivery(simulation)
    page = explanation(client, simulation, delivery)
    link = re.search(r'href="([^"]+)" style="[^"]*" data-testid="space-link"', page).group(1)
    assert link == teaching.space_link(delivery)
    path = urlsplit(link).path
    offer = client.get(path)
    assert offer.status_code == 200
    assert "d•••@example.org" in plain(offer.content.decode())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(path)
    assert sent.status_code == 302 and sent["Location"] == reverse("portal:sent")
    assert [m.to for m in mail.outbox] == [[delivery.recipient]]
    assert "/espace/l/" in mail.outbox[0].body


def test_a_forged_space_link_leads_to_the_address_form(client, db):
    response = client.get(reverse("portal:from_exercise", args=["1:forged"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:start")
    assert "Saisissez votre adresse" in plain(response.content.decode())


def test_signed_in_the_space_link_opens_the_exercise(simulation, client, smtp_server):
    launch_and_send(simulation)
    delivery = first_delivery(simulation)
    explanation(client, simulation, delivery)
    SimulationCampaign.objects.filter(pk=simulation.pk).update(ended_at=timezone.now())
    from hygie.portal.views.public import SESSION_PERSON, SESSION_UNTIL, _now_seconds

    session = client.session
    session[SESSION_PERSON], session[SESSION_UNTIL] = delivery.person_id, _now_seconds() + 600
    session.save()
    response = client.get(reverse("portal:from_exercise", args=[_space_value(delivery)]))
    assert response["Location"] == reverse("portal:exercise", args=[delivery.pk])
