"""Unsubscribe links carry a token of their own: knowing a message's link token is not enough."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.audience.models import PersonStatus
from hygie.delivery import sending
from hygie.delivery.models import Delivery, MailingKind
from hygie.delivery.services import mailing_launch
from hygie.delivery.tests.factories import mailing, people
from hygie.delivery.unsubscribe_tokens import unsubscribe_token


def launched(organisation, **fields) -> Delivery:
    people(organisation, 1)
    mailing_launch(mailing=mailing(organisation, **fields), actor=Actor.system())
    return Delivery.objects.get()


def post(client, token: str):
    return client.post(reverse("unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})


def test_the_link_token_of_a_message_does_not_unsubscribe(client, organisation):
    delivery = launched(organisation)
    assert unsubscribe_token(delivery) != delivery.token
    assert delivery.token not in unsubscribe_token(delivery)
    assert post(client, delivery.token).status_code == 404
    delivery.person.refresh_from_db()
    assert delivery.person.status == PersonStatus.ACTIVE


def test_a_simulation_cannot_be_used_to_unsubscribe(client, organisation):
    delivery = launched(organisation, kind=MailingKind.SIMULATION)
    for token in (delivery.token, unsubscribe_token(delivery)):
        assert post(client, token).status_code == 404
    delivery.person.refresh_from_db()
    assert delivery.person.status == PersonStatus.ACTIVE


def test_a_mailing_without_unsubscribe_link_does_not_unsubscribe(client, organisation):
    delivery = launched(organisation, unsubscribe_link=False)
    assert post(client, unsubscribe_token(delivery)).status_code == 404
    delivery.person.refresh_from_db()
    assert delivery.person.status == PersonStatus.ACTIVE


@pytest.mark.parametrize("tamper", ["number", "mac", "shape"])
def test_a_forged_unsubscribe_token_is_refused(client, organisation, tamper):
    delivery = launched(organisation)
    number, mac = unsubscribe_token(delivery).split("-")
    forged = {
        "number": f"{int(number) + 1}-{mac}",
        "mac": f"{number}-{'0' * len(mac)}",
        "shape": f"{number}-{mac}-x",
    }[tamper]
    assert post(client, forged).status_code == 404
    delivery.person.refresh_from_db()
    assert delivery.person.status == PersonStatus.ACTIVE


def test_the_message_link_unsubscribes(client, organisation):
    delivery = launched(organisation)
    url = sending.recipient_values(delivery)["unsubscribe_link"]
    assert delivery.token not in url
    assert post(client, url.split("/u/")[1].strip("/")).status_code == 200
    delivery.person.refresh_from_db()
    assert delivery.person.status == PersonStatus.UNSUBSCRIBED


def test_links_survive_a_secret_key_rotation(client, organisation, settings):
    delivery = launched(organisation)
    token = unsubscribe_token(delivery)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert post(client, token).status_code == 200
