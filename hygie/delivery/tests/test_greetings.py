"""The greeting a practitioner reads, from what the member file knows about them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.awareness.services import campaign_create
from hygie.delivery.greetings import greeting_of
from hygie.delivery.models import Mailing
from hygie.delivery.placeholders import substitute
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule


def person(**fields) -> Person:
    return Person(**fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"last_name": "Lefèvre", "profession": "doctor"}, "Bonjour Docteur Lefèvre"),
        (
            {"last_name": "Lefèvre", "profession": "doctor", "civility": "mme"},
            "Bonjour Docteur Lefèvre",
        ),
        ({"last_name": "Roux", "civility": "pr"}, "Bonjour Professeur Roux"),
        (
            {"last_name": "Lefèvre", "profession": "nurse", "civility": "mme"},
            "Bonjour Madame Lefèvre",
        ),
        (
            {"last_name": "Petit", "profession": "secretary", "civility": "m"},
            "Bonjour Monsieur Petit",
        ),
        (
            {"first_name": "Claire", "last_name": "Martin", "profession": "secretary"},
            "Bonjour Claire Martin",
        ),
        ({"last_name": "Martin", "profession": "secretary"}, "Bonjour"),
        ({"profession": "other"}, "Bonjour"),
        ({"profession": "doctor"}, "Bonjour Docteur"),
    ],
)
def test_the_greeting_uses_what_is_known(fields, expected):
    with translation.override("fr"):
        assert greeting_of(person(**fields)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"last_name": "Lefèvre"}, "Bonjour Lefèvre,"),
        ({}, "Bonjour,"),
        ({"civility": "Docteur"}, "Bonjour Docteur,"),
        ({"civility": "Docteur", "last_name": "Lefèvre"}, "Bonjour Docteur Lefèvre,"),
    ],
)
def test_an_empty_value_never_leaves_a_double_space(values, expected):
    assert substitute("Bonjour {{ civilite }} {{ nom }},", values) == expected


def test_an_empty_value_at_the_start_of_a_line_takes_the_space_after_it():
    assert substitute("{{ civilite }} {{ nom }},\nSuite", {"last_name": "Roux"}) == "Roux,\nSuite"


def capsule_mailing(organisation, admin) -> Mailing:
    capsules_sync()
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Sauvegardes",
        capsule=Capsule.objects.get(slug="sauvegardes", language="fr"),
        segment=segment,
    )
    return campaign.mailing


@pytest.fixture
def member_file_without_civility(organisation):
    """As imported from a file with no Civilité column: physicians, a secretary, and a
    member of staff known by address only."""
    return [
        Person.objects.create(
            organisation=organisation, email="lefevre@example.org", last_name="Lefèvre"
        ),
        Person.objects.create(
            organisation=organisation,
            email="claire@example.org",
            first_name="Claire",
            last_name="Martin",
            profession="secretary",
        ),
        Person.objects.create(
            organisation=organisation, email="accueil@example.org", profession="other"
        ),
    ]


def test_each_capsule_email_greets_its_recipient_right(
    organisation, admin, smtp_server, member_file_without_civility
):
    from hygie.awareness.tests.conftest import open_window, send_everything

    mailing = capsule_mailing(organisation, admin)
    open_window(mailing)
    mailing_launch(mailing=mailing, actor=Actor.system())
    send_everything(mailing)
    first_lines = {
        received.recipients[0]: received.message.get_body(("plain",)).get_content().splitlines()[0]
        for received in smtp_server.messages
    }
    assert first_lines == {
        "lefevre@example.org": "Bonjour Docteur Lefèvre,",
        "claire@example.org": "Bonjour Claire Martin,",
        "accueil@example.org": "Bonjour,",
    }
    html = next(
        r.message.get_body(("html",)).get_content()
        for r in smtp_server.messages
        if r.recipients == ["lefevre@example.org"]
    )
    assert "<p>Bonjour Docteur Lefèvre,</p>" in html


def test_the_launch_page_previews_real_recipients_worst_first(
    console, admin, organisation, member_file_without_civility
):
    mailing = capsule_mailing(organisation, admin)
    page = console(admin).get(reverse("delivery:mailing", args=[mailing.pk]))
    body = page.content.decode()
    previews = page.context["previews"]
    assert previews[0].person.email == "accueil@example.org"
    assert previews[0].text.startswith("Bonjour,\n")
    assert {p.text.splitlines()[0] for p in previews} == {
        "Bonjour,",
        "Bonjour Docteur Lefèvre,",
        "Bonjour Claire Martin,",
    }
    assert "Bonjour Docteur Lefèvre," in body
    # One of the three has nothing to put in the greeting: the page says so.
    assert [count for _label, count in page.context["lacking"]] == [1]
    assert "manquant pour 1 destinataire" in body


def test_a_test_send_is_written_as_for_the_worst_recipient(
    console, admin, organisation, smtp_server, member_file_without_civility
):
    mailing = capsule_mailing(organisation, admin)
    client = console(admin)
    client.post(reverse("delivery:mailing_action", args=[mailing.pk, "test"]))
    claire = member_file_without_civility[1]
    client.post(
        reverse("delivery:mailing_action", args=[mailing.pk, "test"]), {"as_person": claire.pk}
    )
    texts = [r.message.get_body(("plain",)).get_content() for r in smtp_server.messages]
    assert [r.recipients for r in smtp_server.messages] == [[admin.email], [admin.email]]
    assert texts[0].splitlines()[0] == "Bonjour,"
    assert texts[1].splitlines()[0] == "Bonjour Claire Martin,"


def test_a_test_send_cannot_borrow_another_organisations_person(
    console, admin, organisation, other_organisation, smtp_server
):
    mailing = capsule_mailing(organisation, admin)
    stranger = Person.objects.create(
        organisation=other_organisation, email="x@example.org", last_name="Autre"
    )
    response = console(admin).post(
        reverse("delivery:mailing_action", args=[mailing.pk, "test"]), {"as_person": stranger.pk}
    )
    assert response.status_code == 404
    assert smtp_server.messages == []
