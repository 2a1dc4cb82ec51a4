"""The follow-up of a simulation: those who clicked are enrolled in the capsule of the
scenario's theme as an awareness campaign, measured like any other; robots and people
who cannot receive it are left out; who was enrolled is not shown to every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.audience.models import Person, PersonStatus
from hygie.awareness.models import AwarenessCampaign, Reminder
from hygie.awareness.reminders import send_reminder
from hygie.awareness.selectors import results as awareness_results
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, MailingKind
from hygie.library import enrolment
from hygie.library.content import capsules_sync
from hygie.phishing.models import AfterClick, Scenario, SimulationResult, Stage
from hygie.phishing.services import campaign_create, campaign_end
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window
from hygie.testing.text import plain

ROBOT = {"HTTP_HOST": "localhost", "HTTP_USER_AGENT": "Mimecast URL Protect"}
BROWSER = PERSON["HTTP_USER_AGENT"]


def _scenario(slug: str) -> Scenario:
    return Scenario.objects.get(slug=slug, organisation__isnull=True)


def _click(client, campaign, delivery: Delivery, headers=PERSON) -> None:
    client.get(f"/{campaign.path_prefix}/{delivery.token}/", **headers)


@pytest.fixture
def follow_up(simulation, organisation, admin, smtp_server):
    """A simulation that explains at once and enrols those who clicked (three people)."""
    capsules_sync()
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Automne",
        scenarios=[_scenario("espace-pro-sante-avis-paiement")],
        segment=simulation.segment,
        follow_up=True,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    return campaign


def _deliveries(campaign) -> list[Delivery]:
    return list(Delivery.objects.filter(mailing=campaign.mailing).order_by("pk"))


def test_those_who_clicked_are_enrolled_and_their_reading_is_measured(
    follow_up, client, smtp_server, admin, console
):
    person, robot, _quiet = _deliveries(follow_up)
    _click(client, follow_up, person)
    _click(client, follow_up, robot, ROBOT)
    assert SimulationResult.objects.get(delivery=robot).stage == Stage.SENT

    smtp_server.messages.clear()
    campaign_end(campaign=follow_up, actor=Actor.staff(admin))

    # The explanation came at once (teach mode): no explanation email, only the capsule.
    assert not Delivery.objects.filter(mailing__kind=MailingKind.NOTICE).exists()
    enrolled = AwarenessCampaign.objects.get()
    scenario = _scenario("espace-pro-sante-avis-paiement")
    assert enrolled.capsule.theme == scenario.theme
    assert enrolled.segment is None and enrolled.mailing.kind == MailingKind.AWARENESS
    assert enrolled.mailing.recipients_private
    assert [d.person_id for d in enrolled.mailing.deliveries.all()] == [person.person_id]
    assert Reminder.objects.filter(campaign=enrolled).count() == 1  # the programme's default
    follow_up.refresh_from_db()
    assert follow_up.follow_up_enrolments == [
        {
            "name": enrolled.name,
            "people": 1,
            "results_path": reverse("awareness:results", args=[enrolled.pk]),
        }
    ]
    assert "Automne" in enrolled.name and enrolled.capsule.title in enrolled.name
    assert AuditEntry.objects.filter(action="simulation.follow_up_sent").get().details == {
        "explanations": 0,
        "enrolled": {enrolled.name: 1},
    }

    # The capsule email goes out like any awareness campaign's; reading it counts.
    open_window(enrolled.mailing)
    Delivery.objects.filter(mailing=enrolled.mailing).update(next_attempt_at=timezone.now())
    sending.send_due("w2")
    (sent,) = smtp_server.messages
    assert sent.recipients == [person.recipient]
    text = sent.message.get_body(("plain",)).get_content()
    token = enrolled.mailing.deliveries.get().token
    assert reverse("awareness:capsule", args=[token]) in text
    capsule_page = client.get(reverse("awareness:capsule", args=[token]), HTTP_USER_AGENT=BROWSER)
    assert enrolled.capsule.title in plain(capsule_page.content.decode())
    figures = awareness_results(enrolled)
    assert (figures.sent, figures.readers) == (1, 1)

    # The simulation's results page links to the capsule campaign's results.
    page = console(admin).get(reverse("phishing:results", args=[follow_up.pk])).content.decode()
    assert reverse("awareness:results", args=[enrolled.pk]) in page
    assert 'data-testid="follow-up-enrolments"' in page


def test_scenarios_of_one_theme_share_one_capsule_campaign(simulation, organisation, admin, client):
    capsules_sync()
    for n in range(3, 12):
        Person.objects.create(
            organisation=organisation, email=f"dr{n}@example.org", first_name="Paul"
        )
    slugs = (
        "espace-pro-sante-avis-paiement",  # phishing by email
        "regularisation-cotisations-sociales",  # phishing by email too
        "expiration-mot-de-passe-messagerie",  # passwords
    )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Hiver",
        scenarios=[_scenario(slug) for slug in slugs],
        segment=simulation.segment,
        follow_up=True,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    expected: dict[str, set[int]] = {}
    for n, delivery in enumerate(_deliveries(campaign)):
        # Each from their own practice: one address for all would look like a scanner.
        _click(client, campaign, delivery, {**PERSON, "REMOTE_ADDR": f"198.51.100.{n + 1}"})
        theme = Scenario.objects.get(pk=int(delivery.variant.key[1:])).theme
        expected.setdefault(theme, set()).add(delivery.person_id)

    campaign_end(campaign=campaign, actor=Actor.staff(admin))

    made = {
        enrolled.capsule.theme: {d.person_id for d in enrolled.mailing.deliveries.all()}
        for enrolled in AwarenessCampaign.objects.all()
    }
    assert made == expected
    assert AwarenessCampaign.objects.count() == len(expected)  # one per theme, not per scenario
    campaign.refresh_from_db()
    assert sorted(e["people"] for e in campaign.follow_up_enrolments) == sorted(
        len(people) for people in expected.values()
    )


def test_nobody_reachable_means_no_capsule_campaign(follow_up, client, admin, console):
    person, *_ = _deliveries(follow_up)
    _click(client, follow_up, person)
    Person.objects.filter(pk=person.person_id).update(status=PersonStatus.UNSUBSCRIBED)

    campaign_end(campaign=follow_up, actor=Actor.staff(admin))

    assert not AwarenessCampaign.objects.exists()
    follow_up.refresh_from_db()
    assert follow_up.explanations_sent_at is not None and follow_up.follow_up_enrolments == []
    page = console(admin).get(reverse("phishing:results", args=[follow_up.pk])).content.decode()
    assert 'data-testid="follow-up-enrolments"' not in page
    assert "could be enrolled" in page or "n’a pu être inscrit" in page


def test_the_explanation_email_announces_the_capsule_without_carrying_it(
    simulation, organisation, admin, client, smtp_server
):
    capsules_sync()
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Plus tard",
        scenarios=[_scenario("espace-pro-sante-avis-paiement")],
        segment=simulation.segment,
        after_click=AfterClick.LATER,
        follow_up=True,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    person, *_ = _deliveries(campaign)
    _click(client, campaign, person)
    smtp_server.messages.clear()

    campaign_end(campaign=campaign, actor=Actor.staff(admin))

    enrolled = AwarenessCampaign.objects.get()
    notice = Delivery.objects.get(mailing__kind=MailingKind.NOTICE)
    assert notice.person_id == person.person_id and notice.mailing.recipients_private
    for mailing in (notice.mailing, enrolled.mailing):
        open_window(mailing)
    Delivery.objects.filter(status=DeliveryStatus.SCHEDULED).update(next_attempt_at=timezone.now())
    while sending.send_due("w2"):
        pass
    by_subject = {plain(str(m.message["Subject"])): m.message for m in smtp_server.messages}
    assert len(by_subject) == 2 and enrolled.capsule.title in by_subject
    explanation = next(m for subject, m in by_subject.items() if subject != enrolled.capsule.title)
    text = plain(explanation.get_body(("plain",)).get_content())
    assert enrolled.capsule.title in plain(text)  # announced
    first_paragraph = enrolled.capsule.body_markdown.strip().split("\n\n")[0]
    assert first_paragraph not in text  # but the capsule itself comes in its own message


def test_who_was_enrolled_is_not_listed_on_the_mailing_page(follow_up, client, admin, console):
    person, *_ = _deliveries(follow_up)
    _click(client, follow_up, person)
    campaign_end(campaign=follow_up, actor=Actor.staff(admin))
    enrolled = AwarenessCampaign.objects.get()
    enrolled.mailing.deliveries.update(status=DeliveryStatus.FAILED, last_error="550 unknown")

    page = console(admin).get(reverse("delivery:mailing", args=[enrolled.mailing_id]))

    body = page.content.decode()
    assert person.recipient not in body
    assert 'data-testid="recipients-private"' in body
    # A reminder to those who did not read it keeps its recipients private too.
    reminder = Reminder.objects.get(campaign=enrolled)
    enrolled.mailing.deliveries.update(
        status=DeliveryStatus.SENT, sent_at=timezone.now() - timedelta(days=8)
    )
    assert send_reminder(reminder, now=timezone.now())
    reminder.refresh_from_db()
    assert reminder.mailing is not None and reminder.mailing.recipients_private


def test_enrolling_needs_an_app_that_makes_capsule_campaigns(monkeypatch, organisation):
    monkeypatch.setattr(enrolment, "_enrollers", [])
    with pytest.raises(ImproperlyConfigured):
        enrolment.enrol(
            organisation=organisation,
            capsule=None,  # type: ignore[arg-type]
            people=[],
            name="x",
            actor=Actor.system(organisation),
        )


def test_the_explanation_email_says_who_sees_what_and_how_to_report(
    simulation, organisation, admin, client, smtp_server
):
    from hygie.reporting.models import Mailbox

    Mailbox.objects.create(
        organisation=organisation, address="signalement@urps.example", host="i", username="u"
    )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Nom interne de la campagne",
        scenarios=[_scenario("espace-pro-sante-avis-paiement")],
        segment=simulation.segment,
        after_click=AfterClick.LATER,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    person, *_ = _deliveries(campaign)
    _click(client, campaign, person)
    smtp_server.messages.clear()
    campaign_end(campaign=campaign, actor=Actor.staff(admin))
    notice = Delivery.objects.get(mailing__kind=MailingKind.NOTICE)
    open_window(notice.mailing)
    Delivery.objects.filter(status=DeliveryStatus.SCHEDULED).update(next_attempt_at=timezone.now())
    while sending.send_due("w2"):
        pass
    (message,) = [m.message for m in smtp_server.messages]
    for body in (message.get_body(("plain",)), message.get_body(("html",))):
        text = plain(body.get_content())
        assert "personne d'autre" not in text
        assert "au moins 5 personnes" in text and "administrateurs" in text
        assert person.variant.from_email in text  # the address its clue is about
        assert "transférez-le tel quel" in text and "signalement@urps.example" in text
        assert "Nom interne" not in text
