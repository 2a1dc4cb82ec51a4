"""Launching an awareness campaign through the API: the console's forecast, its
confirmation by the number of recipients, and the same launch service."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.api.scopes import Scope
from hygie.api.services import mailing_launch_confirmed
from hygie.api.tests.test_results_api import awareness_of
from hygie.audience.models import Person, PersonStatus
from hygie.delivery.models import Delivery, MailingStatus
from hygie.delivery.services import mailing_launch
from hygie.phishing.tests.support import open_window
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(admin, organisation):  # type: ignore[no-untyped-def]
    """A draft awareness campaign to three reachable people; two more are left out."""
    for n in range(3):
        Person.objects.create(organisation=organisation, email=f"dr{n}@example.org")
    Person.objects.create(
        organisation=organisation, email="gone@example.org", status=PersonStatus.UNSUBSCRIBED
    )
    Person.objects.create(organisation=organisation, email=None, last_name="Sans adresse")
    made = awareness_of(organisation, admin)
    open_window(made.mailing)
    return made


def test_the_forecast_is_the_console_confirmation_pages(api, campaign):
    answer = api(Scope.MANAGE_CAMPAIGNS).get(f"/campaigns/{campaign.pk}/launch")
    assert answer.status_code == 200, answer.content
    forecast = answer.json()
    assert (forecast["campaign_id"], forecast["mailing_id"], forecast["status"]) == (
        campaign.pk,
        campaign.mailing_id,
        "draft",
    )
    assert (forecast["recipients"], forecast["excluded"]) == (3, 2)
    assert (forecast["unsubscribed"], forecast["bounced"], forecast["no_address"]) == (1, 0, 1)
    assert forecast["window"] == {
        "days": [0, 1, 2, 3, 4, 5, 6],
        "start": "00:00",
        "end": "23:59",
        "time_zone": campaign.organisation.time_zone,
    }
    assert forecast["first_send"] is not None and forecast["first_send"] <= forecast["last_send"]
    assert forecast["waits_for_window"] is False
    # The forecast changes nothing.
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == MailingStatus.DRAFT and not Delivery.objects.exists()


def test_a_launch_confirmed_with_the_forecasts_number_sends_as_the_console_does(
    api, campaign, admin
):
    client = api(Scope.MANAGE_CAMPAIGNS)
    path = f"/campaigns/{campaign.pk}/launch"
    launched = client.send("post", path, {"recipients": 3})
    assert launched.status_code == 200, launched.content
    body = launched.json()
    assert (body["campaign_id"], body["mailing_id"], body["deliveries"]) == (
        campaign.pk,
        campaign.mailing_id,
        3,
    )
    times = sorted(Delivery.objects.values_list("scheduled_at", flat=True))
    assert len(times) == 3
    planned = (
        datetime.fromisoformat(body["first_send"]),
        datetime.fromisoformat(body["last_send"]),
    )
    # JSON keeps milliseconds.
    assert planned == tuple(
        t.replace(microsecond=t.microsecond // 1000 * 1000) for t in (times[0], times[-1])
    )
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == MailingStatus.SCHEDULED
    [entry] = AuditEntry.objects.filter(action="mailing.launched")
    assert (entry.actor, entry.details["deliveries"]) == (admin, 3)
    again = client.send("post", path, {"recipients": 3}, **{"Accept-Language": "en"})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This mailing was already launched.",
    )
    assert client.get(path).status_code == 409
    assert Delivery.objects.count() == 3


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "fr",
            "Les destinataires ont changé depuis la prévision : 3 maintenant, et non 5. "
            "Relisez la prévision, puis confirmez avec son nombre.",
        ),
        (
            "en",
            "The recipients changed since the forecast: 3 now, not 5. "
            "Read the forecast again, then confirm with its number.",
        ),
    ],
)
def test_a_launch_confirmed_with_another_number_sends_nothing(api, campaign, language, message):
    answer = api(Scope.MANAGE_CAMPAIGNS).send(
        "post",
        f"/campaigns/{campaign.pk}/launch",
        {"recipients": 5},
        **{"Accept-Language": language},
    )
    assert answer.status_code == 409
    assert plain(answer.json()["detail"]) == message
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == MailingStatus.DRAFT
    assert not Delivery.objects.exists()
    assert not AuditEntry.objects.filter(action="mailing.launched").exists()


def test_people_added_during_the_launch_roll_the_whole_launch_back(campaign, organisation):
    def launch_while_someone_joins() -> int:
        Person.objects.create(organisation=organisation, email="late@example.org")
        return mailing_launch(mailing=campaign.mailing, actor=Actor.system())

    with pytest.raises(ValidationError, match="4"):
        mailing_launch_confirmed(
            mailing=campaign.mailing, launch=launch_while_someone_joins, recipients=3
        )
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == MailingStatus.DRAFT
    assert not Delivery.objects.exists()
    assert not Person.objects.filter(email="late@example.org").exists()


def test_a_launch_needs_the_scope_a_confirmation_and_the_own_organisation(
    api, campaign, outsider, other_organisation
):
    path = f"/campaigns/{campaign.pk}/launch"
    reader = api(*(s for s in Scope if s != Scope.MANAGE_CAMPAIGNS))
    assert reader.get(path).status_code == 403
    assert reader.send("post", path, {"recipients": 3}).status_code == 403
    missing = api(Scope.MANAGE_CAMPAIGNS).send("post", path, {}, **{"Accept-Language": "fr"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {
            "field": "recipients",
            "message": "Le champ « recipients » est obligatoire.",
            "type": "missing",
            "loc": ["body", "recipients"],
        }
    ]
    theirs = api(Scope.MANAGE_CAMPAIGNS, organisation=other_organisation)
    assert theirs.get(path).status_code == 404
    assert theirs.send("post", path, {"recipients": 3}).status_code == 404
    campaign.mailing.refresh_from_db()
    assert campaign.mailing.status == MailingStatus.DRAFT and not Delivery.objects.exists()
