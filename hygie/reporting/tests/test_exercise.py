"""From a real lure to an exercise: a group of reports becomes a draft scenario with
its brands made fictional and personal data removed; a draft is never usable until
someone allowed to manage content publishes it."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry, Role
from hygie.audience.models import Segment
from hygie.delivery.models import SendingProfile
from hygie.phishing.content.scenarios import field_problems, scenarios_sync
from hygie.phishing.models import Scenario, ScenarioStatus
from hygie.phishing.services import campaign_create, campaign_launch, scenario_publish
from hygie.phishing.tests.test_scenario_content import DOMAIN, REAL_NAMES
from hygie.reporting import services
from hygie.reporting.models import GroupStatus, LureGroup, Mailbox
from hygie.reporting.tests import forwards
from hygie.reporting.tests.test_circulation import forward_from, members, other_lure, receive

PHONE = "06 12 34 56 78"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
RPPS = "10101234567"
# A lure that borrows real services and carries the personal data of whoever got it.
LURE = replace(
    forwards.Lure(),
    subject="Claire, votre remboursement ameli de 84,20 € est en attente",
    body=(
        "Bonjour Dr Claire Membre0,\n\n"
        "L’Assurance Maladie n’a pas pu verser votre remboursement de 84,20 €.\n"
        "Votre IBAN enregistré : " + IBAN + "\n"
        "Votre numéro RPPS : " + RPPS + "\n\n"
        "Mettez à jour vos coordonnées bancaires sur votre compte ameli : {link}\n\n"
        "Sans réponse sous 48 heures, le dossier sera clôturé et votre carte CPS "
        "suspendue par l’ANS. Vos rendez-vous Doctolib seront annulés.\n"
        "Une question ? Appelez le " + PHONE + " ou écrivez à dr0-33@cabinet.example.\n"
        "Vos prélèvements Crédit Agricole restent inchangés. Voir aussi www.ameli.fr\n\n"
        "L’Assurance Maladie\n"
    ),
)


@pytest.fixture
def plain_mailbox(organisation) -> Mailbox:
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def group_of(organisation, mailbox, lure=LURE, n: int = 2, departement="33") -> LureGroup:
    people = members(organisation, n, departement=departement)
    reports = [receive(mailbox, forward_from(p, lure)) for p in people]
    return LureGroup.objects.get(pk=reports[0].group_id)


def texts_of(scenario: Scenario) -> str:
    """Everything of the scenario a member could read."""
    data = {k: v for k, v in scenario.data.items() if k not in {"review_notes", "origin"}}
    return json.dumps(data, ensure_ascii=False)


def test_a_lure_becomes_a_draft_without_personal_data_or_real_brands(
    organisation, plain_mailbox, admin
):
    group = group_of(organisation, plain_mailbox)
    scenario = services.group_exercise_create(group=group, actor=Actor.staff(admin))
    assert scenario.status == ScenarioStatus.DRAFT
    assert scenario.organisation == organisation
    group.refresh_from_db()
    assert group.exercise == scenario
    data, text = scenario.data, texts_of(scenario)
    # Each kind of personal data is gone.
    for personal in (
        "Claire",
        "Membre0",
        "Membre1",
        "Martin",  # the reporter's display name in the forward
        "dr0-33@cabinet.example",
        "dr1-33@cabinet.example",
        forwards.REPORTER,
        PHONE,
        IBAN,
        RPPS,
        "ameli-remboursement-fr.example",
        "7781",  # the lure's link
    ):
        assert personal not in text, personal
    assert "[IBAN retiré]" in data["text_body"] and "[numéro retiré]" in data["text_body"]
    assert "[adresse retirée]" in data["text_body"]
    # The recipient's name becomes the recipient's own placeholder.
    assert data["text_body"].startswith("Bonjour Dr {{ nom_complet }},")
    assert data["subject"].startswith("{{ prenom }},")
    # Links are the simulation's tracked link.
    assert "{{ lien }}" in data["text_body"] and 'href="{{ lien }}"' in data["html_body"]
    assert not re.search(r"https?://|www\.", text)
    # Real services become the fictional ones of the shipped library.
    assert not REAL_NAMES.search(text), REAL_NAMES.search(text)
    assert not DOMAIN.search(text), DOMAIN.search(text)
    assert "La Caisse santé n’a pas pu verser" in data["text_body"]
    assert "Doctoplanning" in data["text_body"] and "Votre banque" in data["text_body"]
    assert "le service Carte Pro Santé" in data["text_body"]
    assert data["sender_name"] == "Caisse santé"
    # The red flags the checks found are pre-marked, each anchored in the message.
    flags = {(f["where"], f["anchor"]) for f in data["red_flags"]}
    assert ("sender", "Caisse santé") in flags
    assert ("body", "sous 48 heures") in flags
    assert any(where == "link" for where, _anchor in flags)
    sender_flag = next(f for f in data["red_flags"] if f["where"] == "sender")
    assert "imite le nom d'un organisme connu" in sender_flag["explanation"]
    assert any("apparence trompeuse" in note for note in data["review_notes"])
    assert field_problems({**data, "last_reviewed": scenario.last_reviewed}) == []
    assert AuditEntry.objects.filter(action="scenario.drafted", target_id=str(scenario.pk)).exists()


def test_words_that_look_like_brands_or_names_are_left_alone(organisation, plain_mailbox, admin):
    lure = replace(
        LURE,
        subject="Depuis 3 ans, un petit rappel",
        body="Depuis 3 ans vous êtes client. Un petit geste : {link}\n",
    )
    people = members(organisation, 1)
    people[0].last_name = "Petit"
    people[0].save()
    report = receive(plain_mailbox, forward_from(people[0], lure))
    scenario = services.group_exercise_create(group=report.group, actor=Actor.staff(admin))
    assert scenario.data["text_body"].startswith("Depuis 3 ans vous êtes client. Un petit geste")


def test_an_attachment_and_a_failed_sender_are_flagged(organisation, plain_mailbox, admin):
    person = members(organisation, 1)[0]
    report = receive(plain_mailbox, forward_from(person, LURE, forwards.as_rfc822))
    report.details["attachments"] = [
        {"filename": "facture.pdf", "content_type": "application/pdf", "size": 10, "sha256": "x"}
    ]
    report.details["authentication"] = {"spf": "fail", "dkim": "none", "dmarc": "fail"}
    report.save()
    scenario = services.group_exercise_create(group=report.group, actor=Actor.staff(admin))
    flags = {f["where"]: f for f in scenario.data["red_flags"]}
    assert scenario.data["attachment"]["filename"] == "document.pdf"
    assert "attachment" in flags
    assert "(DKIM, DMARC, SPF) avaient échoué" in flags["sender"]["explanation"]
    assert 3 <= len(scenario.data["red_flags"]) <= 6


def test_a_draft_is_never_offered_nor_launchable_until_published(
    console, organisation, plain_mailbox, admin
):
    scenarios_sync()
    SendingProfile.objects.update_or_create(
        organisation=organisation, defaults={"simulation_domain": "espace-pro.example"}
    )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    draft = services.group_exercise_create(
        group=group_of(organisation, plain_mailbox), actor=Actor.staff(admin)
    )
    form = console(admin).get(reverse("phishing:simulation_new")).context["form"]
    offered = set(form.fields["scenarios"].queryset.values_list("pk", flat=True))
    assert draft.pk not in offered and offered
    with translation.override("fr"), pytest.raises(ValidationError, match="est un brouillon"):
        campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Essai",
            scenarios=[draft],
            segment=segment,
        )
    # A campaign whose scenario is (somehow) a draft is not launched either.
    shipped = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Essai",
        scenarios=[shipped],
        segment=segment,
    )
    Scenario.objects.filter(pk=shipped.pk).update(status=ScenarioStatus.DRAFT)
    with pytest.raises(ValidationError):
        campaign_launch(campaign=campaign, actor=Actor.staff(admin))
    assert not campaign.mailing.deliveries.exists()
    published = scenario_publish(
        scenario=draft, organisation=organisation, actor=Actor.staff(admin)
    )
    assert published.status == ScenarioStatus.PUBLISHED and published.published_by == admin
    form = console(admin).get(reverse("phishing:simulation_new")).context["form"]
    assert draft.pk in set(form.fields["scenarios"].queryset.values_list("pk", flat=True))
    assert (
        campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Exercice",
            scenarios=[published],
            segment=segment,
        ).scenarios.get()
        == draft
    )


def test_shipped_scenarios_are_published(db):
    scenarios_sync()
    assert Scenario.objects.exists()
    assert not Scenario.objects.exclude(status=ScenarioStatus.PUBLISHED).exists()


def test_publishing_needs_the_content_right_and_is_audited(
    console, organisation, plain_mailbox, admin, staff_of
):
    draft = services.group_exercise_create(
        group=group_of(organisation, plain_mailbox), actor=Actor.staff(admin)
    )
    url = reverse("phishing:scenario_publish", args=[draft.pk])
    for role in (Role.ANALYST, Role.INCIDENT_HANDLER):
        assert console(staff_of(role)).post(url).status_code == 403
    assert Scenario.objects.get(pk=draft.pk).status == ScenarioStatus.DRAFT
    manager = staff_of(Role.CAMPAIGN_MANAGER)
    client = console(manager)
    page = client.get(reverse("phishing:scenario", args=[draft.pk])).content.decode()
    assert 'data-testid="draft"' in page and url in page
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ScenarioStatus.PUBLISHED and draft.published_by == manager
    entry = AuditEntry.objects.get(action="scenario.published")
    assert entry.actor == manager and entry.target_id == str(draft.pk)
    # Publishing twice says so and records nothing more.
    with translation.override("fr"):
        page = client.post(url, follow=True).content.decode()
    assert "déjà publié" in page
    assert AuditEntry.objects.filter(action="scenario.published").count() == 1


def test_an_edited_draft_stays_a_draft_and_only_its_latest_version_publishes(
    organisation, plain_mailbox, admin
):
    from hygie.phishing.editing import scenario_form_initial
    from hygie.phishing.services import scenario_edit

    draft = services.group_exercise_create(
        group=group_of(organisation, plain_mailbox), actor=Actor.staff(admin)
    )
    changes = {
        **scenario_form_initial(scenario=draft),
        "subject": "Votre remboursement est en attente",
    }
    edited = scenario_edit(
        scenario=draft, organisation=organisation, actor=Actor.staff(admin), data=changes
    )
    assert edited.version == 2 and edited.status == ScenarioStatus.DRAFT
    with pytest.raises(ValidationError):
        scenario_publish(scenario=draft, organisation=organisation, actor=Actor.staff(admin))
    assert scenario_publish(
        scenario=edited, organisation=organisation, actor=Actor.staff(admin)
    ).status == (ScenarioStatus.PUBLISHED)


def test_who_may_turn_a_group_into_an_exercise(
    console, organisation, plain_mailbox, admin, staff_of
):
    group = group_of(organisation, plain_mailbox)
    url = reverse("reporting:group_exercise", args=[group.pk])
    assert console(staff_of(Role.ANALYST)).post(url).status_code == 403
    assert console(staff_of(Role.CAMPAIGN_MANAGER)).post(url).status_code == 403
    assert not Scenario.objects.exists()
    # An incident handler drafts it; reviewing and publishing is for content managers.
    handler = console(staff_of(Role.INCIDENT_HANDLER))
    response = handler.post(url)
    assert response.url == reverse("reporting:group", args=[group.pk])
    scenario = Scenario.objects.get()
    assert scenario.status == ScenarioStatus.DRAFT
    with translation.override("fr"):
        page = handler.post(url, follow=True).content.decode()
    assert "déjà devenu un exercice" in page
    assert Scenario.objects.count() == 1
    # An administrator goes straight to the draft.
    other = group_of(organisation, plain_mailbox, lure=other_lure(), departement="40")
    assert other.pk != group.pk
    response = console(admin).post(reverse("reporting:group_exercise", args=[other.pk]))
    other.refresh_from_db()
    assert response.url == reverse("phishing:scenario", args=[other.exercise_id])
    with translation.override("fr"):
        page = console(admin).get(reverse("reporting:group", args=[other.pk])).content.decode()
    assert 'data-testid="exercise"' in page and "Exercice en brouillon" in page
    assert reverse("phishing:scenario", args=[other.exercise_id]) in page


def test_a_legitimate_group_is_not_an_exercise(organisation, plain_mailbox, admin):
    group = group_of(organisation, plain_mailbox)
    services.group_classify(group=group, actor=Actor.staff(admin), status=GroupStatus.LEGITIMATE)
    with translation.override("fr"), pytest.raises(ValidationError, match="légitime"):
        services.group_exercise_create(group=group, actor=Actor.staff(admin))
    assert not Scenario.objects.exists()


def test_drafts_stay_within_their_organisation(
    console, organisation, other_organisation, plain_mailbox, admin, outsider
):
    draft = services.group_exercise_create(
        group=group_of(organisation, plain_mailbox), actor=Actor.staff(admin)
    )
    group = LureGroup.objects.get()
    outside = console(outsider)
    assert outside.post(reverse("phishing:scenario_publish", args=[draft.pk])).status_code == 404
    assert outside.get(reverse("phishing:scenario", args=[draft.pk])).status_code == 404
    assert outside.post(reverse("reporting:group_exercise", args=[group.pk])).status_code == 404
    listed = outside.get(reverse("phishing:scenarios")).context["scenarios"]
    assert draft.pk not in {s.pk for s in listed}
    with pytest.raises(ValidationError):
        scenario_publish(
            scenario=draft, organisation=other_organisation, actor=Actor.staff(outsider)
        )
    assert Scenario.objects.get(pk=draft.pk).status == ScenarioStatus.DRAFT


def test_an_sms_lure_becomes_a_draft_sms_scenario(organisation, admin):
    from hygie.reporting.intake import ingest_text

    person = members(organisation, 1)[0]
    text = (
        "AMELI : Claire Membre0, votre carte Vitale expire ! Mettez-la à jour sous 24h : "
        "https://ameli-carte.example/maj?id=7781 ou appelez le " + PHONE
    )
    report = ingest_text(organisation=organisation, text=text, reporter=person.email)
    scenario = services.group_exercise_create(group=report.group, actor=Actor.staff(admin))
    data = scenario.data
    assert scenario.channel == "sms" and scenario.status == ScenarioStatus.DRAFT
    body = data["sms_body"]
    assert "{{ lien }}" in body and len(body) <= 320
    for personal in ("Claire", "Membre0", PHONE, "ameli-carte", "7781"):
        assert personal not in texts_of(scenario), personal
    assert not REAL_NAMES.search(texts_of(scenario))
    assert body.startswith("Espace Pro Santé : {{ nom_complet }}, votre carte Vitale expire")
    assert ("sms", "sous 24h") in {(f["where"], f["anchor"]) for f in data["red_flags"]}
    assert field_problems({**data, "last_reviewed": scenario.last_reviewed}) == []
