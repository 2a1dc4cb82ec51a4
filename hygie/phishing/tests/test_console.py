"""Console side of simulations: scenario previews and versions, campaign preview and
test send, sending controls, named results, and what happens after a click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.delivery.models import Delivery, Mailing, MailingKind, MailingStatus
from hygie.library.content import capsules_sync
from hygie.phishing.models import AfterClick, Scenario, SimulationEvent, SimulationResult, Stage
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window
from hygie.phishing.variants import variant_key
from hygie.testing.forms import DEFAULT_WINDOW
from hygie.testing.text import plain


def _shipped(slug: str = "espace-pro-sante-avis-paiement") -> Scenario:
    return Scenario.objects.get(slug=slug, organisation__isnull=True)


# --- Scenarios -----------------------------------------------------------------


def test_scenario_preview_shows_email_landing_and_red_flags(simulation, console, admin):
    scenario = _shipped()
    staff = console(admin)
    page = staff.get(reverse("phishing:scenario", args=[scenario.pk]))
    body = plain(page.content.decode())
    assert "@espace-pro.example" in body  # the sender on the organisation's domain
    assert body.count("<mark") >= 2  # the annotated version
    for flag in scenario.data["red_flags"]:
        assert flag["explanation"].replace("'", "&#x27;")[:30] in body
    frame = staff.get(reverse("phishing:scenario_frame", args=[scenario.pk, "email"]))
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in frame["Content-Security-Policy"]
    assert "script-src" not in frame["Content-Security-Policy"]
    html = frame.content.decode()
    assert "Martin" in html and "{{" not in html
    assert "http://localhost:8000/espace1a2b/exemple/" in html
    landing = staff.get(reverse("phishing:scenario_frame", args=[scenario.pk, "landing"]))
    assert b"<form" in landing.content
    assert staff.get(reverse("phishing:scenario_frame", args=[scenario.pk, "x"])).status_code == 404


def test_sms_and_qr_scenarios_preview_as_received(simulation, console, admin):
    staff = console(admin)
    sms = _shipped("colis-en-attente-sms")
    page = staff.get(reverse("phishing:scenario", args=[sms.pk])).content.decode()
    assert 'data-testid="sms-preview"' in page and "http://localhost:8000/" in page
    qr = Scenario.objects.filter(channel="qr").first()
    frame = staff.get(reverse("phishing:scenario_frame", args=[qr.pk, "email"])).content.decode()
    assert 'src="data:image/png;base64,' in frame


def test_editing_a_scenario_creates_a_version_and_campaigns_keep_theirs(
    simulation, console, admin, organisation, outsider
):
    scenario = _shipped()
    variant_before = simulation.mailing.variants.get().subject
    staff = console(admin)
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["subject"] = "Nouvel objet : action requise sous 48h"
    response = staff.post(url, data)
    new = Scenario.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert response["Location"] == reverse("phishing:scenario", args=[new.pk])
    assert (new.slug, new.version) == (scenario.slug, scenario.version + 1)
    assert new.data["subject"] == "Nouvel objet : action requise sous 48h"
    assert AuditEntry.objects.filter(action="scenario.edited", target_id=str(new.pk)).exists()
    # The campaign created before keeps the version it had.
    assert simulation.mailing.variants.get().subject == variant_before
    assert list(simulation.scenarios.all()) == [scenario]
    # The list offers the new version; another organisation neither sees nor opens it.
    listed = staff.get(reverse("phishing:scenarios")).context["scenarios"]
    assert new in listed and scenario not in listed
    assert console(outsider).get(reverse("phishing:scenario", args=[new.pk])).status_code == 404


def test_a_bad_edit_names_the_field_and_changes_nothing(simulation, console, admin):
    scenario = _shipped()
    staff = console(admin)
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["text_body"] = "Plus de lien ici."
    data["red_flags"] = data["red_flags"] + "\nailleurs | x | y"
    page = staff.post(url, data)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "red_flags" in errors and "ailleurs" in errors["red_flags"][0]
    data["red_flags"] = form.initial["red_flags"]
    errors = staff.post(url, data).context["form"].errors
    assert list(errors) == ["text_body"] and "{{ lien }}" in errors["text_body"][0]
    data["text_body"] = form.initial["text_body"]
    _first, rest = form.initial["red_flags"].split("\n", 1)
    data["red_flags"] = "subject | absent du message | explication\n" + rest
    errors = staff.post(url, data).context["form"].errors
    assert errors["red_flags"][0] == "indice 1 : ancre introuvable à son emplacement (objet)"
    assert Scenario.objects.filter(slug=scenario.slug).count() == 1


def test_campaign_managers_edit_analysts_do_not(simulation, console, staff_of):
    url = reverse("phishing:scenario_edit", args=[_shipped().pk])
    assert console(staff_of(Role.CAMPAIGN_MANAGER)).get(url).status_code == 200
    assert console(staff_of(Role.ANALYST)).get(url).status_code == 403


# --- Campaigns -----------------------------------------------------------------


def test_every_variant_is_previewed_and_can_be_sent_to_oneself(
    simulation, console, admin, organisation, smtp_server
):
    from hygie.reporting.models import Mailbox

    Mailbox.objects.create(
        organisation=organisation, address="signalement@urps.example", host="i", username="u"
    )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="A/B",
        scenarios=[_shipped(), _shipped("messagerie-securisee-boite-pleine")],
        segment=simulation.segment,
        report_link=True,
    )
    staff = console(admin)
    page = staff.get(reverse("phishing:campaign_preview", args=[campaign.pk]))
    rows = page.context["rows"]
    assert len(rows) == 2
    body = page.content.decode()
    assert body.count('data-testid="variant-preview"') == 2
    # The full-mailbox scenario's variant (variants are listed by key, "s<scenario id>",
    # whose order as text varies with the ids a run gives).
    full_mailbox = variant_key(_shipped("messagerie-securisee-boite-pleine"))
    variant = next(v for v, _preview in rows if v.key == full_mailbox)
    frame = staff.get(
        reverse("phishing:campaign_preview", args=[campaign.pk]) + f"?frame={variant.pk}"
    )
    assert "transférez-le à signalement@urps.example" in frame.content.decode()
    assert frame["X-Frame-Options"] == "SAMEORIGIN"

    staff.post(
        reverse("phishing:results", args=[campaign.pk]), {"action": "test", "variant": variant.pk}
    )
    (sent,) = smtp_server.messages
    assert sent.recipients == [admin.email]
    # The subject is sent with French typography (a no-break space before "%").
    assert plain(sent.message["Subject"]) == plain(variant.subject)
    assert "98\u00a0%" in sent.message["Subject"]
    test = Delivery.objects.get(is_test=True)
    assert not SimulationResult.objects.filter(delivery=test).exists()


def test_schedule_pause_resume_and_end(simulation, console, admin, smtp_server):
    from datetime import datetime

    staff = console(admin)
    url = reverse("phishing:results", args=[simulation.pk])
    launch_and_send(simulation)
    simulation.mailing.refresh_from_db()
    # Nothing is left to send after the sending above; pause and resume act on the mailing.
    Mailing.objects.filter(pk=simulation.mailing_id).update(status=MailingStatus.SCHEDULED)
    staff.post(url, {"action": "pause"})
    simulation.mailing.refresh_from_db()
    assert simulation.mailing.status == MailingStatus.PAUSED
    staff.post(url, {"action": "resume"})
    simulation.mailing.refresh_from_db()
    assert simulation.mailing.status == MailingStatus.SCHEDULED
    staff.post(url, {"action": "end"})
    simulation.refresh_from_db()
    assert simulation.ended_at is not None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"mailing.paused", "mailing.resumed", "simulation.ended"} <= actions
    page = staff.get(url)
    assert 'data-testid="simulation-status"' in page.content.decode()
    assert isinstance(simulation.ended_at, datetime)


def test_a_new_campaign_takes_its_schedule_and_options(simulation, console, admin, organisation):
    staff = console(admin)
    response = staff.post(
        reverse("phishing:simulation_new"),
        {
            "name": "Automne",
            "scenarios": [_shipped().pk],
            "segment": simulation.segment.pk,
            **DEFAULT_WINDOW,
            "send_start": "2030-10-06T09:00",
            "send_end": "2030-10-10T18:00",
            "after_click": "later",
            "follow_up": "on",
        },
    )
    assert response.status_code == 302
    campaign = organisation.simulations.get(name="Automne")
    assert campaign.after_click == AfterClick.LATER and campaign.follow_up
    assert campaign.mailing.send_start.year == 2030 and campaign.mailing.send_end.day == 10
    bad = staff.post(
        reverse("phishing:simulation_new"),
        {
            "name": "Envers",
            "scenarios": [_shipped().pk],
            "segment": simulation.segment.pk,
            **DEFAULT_WINDOW,
            "send_start": "2030-10-10T09:00",
            "send_end": "2030-10-06T18:00",
            "after_click": "teach",
        },
    )
    assert "send_end" in bad.context["form"].errors
    assert not organisation.simulations.filter(name="Envers").exists()


# --- Named results ---------------------------------------------------------------


def test_named_results_need_the_right_and_each_view_is_audited(
    simulation, smtp_server, client, console, admin, staff_of
):
    launch_and_send(simulation)
    delivery = Delivery.objects.order_by("pk").first()
    client.get(f"/{simulation.path_prefix}/{delivery.token}/", **PERSON)
    url = reverse("phishing:people", args=[simulation.pk])
    for role in (Role.CAMPAIGN_MANAGER, Role.ANALYST):
        assert console(staff_of(role)).get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="simulation.individual_results_viewed").exists()
    staff = console(admin)
    page = staff.get(url + "?outcome=clicked")
    assert [r.delivery for r in page.context["page"].object_list] == [delivery]
    assert delivery.person.last_name in page.content.decode()
    # The person's timeline comes with the row, read in one query for the page.
    (row,) = page.context["page"].object_list
    assert [e.kind for e in row.delivery.simulation_events.all()] == ["click"]
    assert page.content.decode().count('data-testid="timeline"') == 1
    staff.get(url + "?outcome=reported")
    entries = AuditEntry.objects.filter(action="simulation.individual_results_viewed")
    assert [e.details["outcome"] for e in entries.order_by("pk")] == ["clicked", "reported"]
    assert staff.get(url + "?outcome=everything").status_code == 404
    # The results page links to it only for those who may open it.
    results = reverse("phishing:results", args=[simulation.pk])
    assert url in staff.get(results).content.decode()
    assert url not in console(staff_of(Role.ANALYST)).get(results).content.decode()


# --- After a click -------------------------------------------------------------


@pytest.fixture
def later(simulation, organisation, admin):
    capsules_sync()
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Plus tard",
        scenarios=[_shipped()],
        segment=simulation.segment,
        after_click=AfterClick.LATER,
        follow_up=True,
    )
    open_window(campaign.mailing)
    return campaign


def test_a_neutral_page_now_and_the_explanation_by_email_at_the_end(
    later, smtp_server, client, console, admin
):
    from hygie.delivery import sending

    launch_and_send(later)
    clicked = Delivery.objects.filter(mailing=later.mailing).order_by("pk").first()
    url = f"/{later.path_prefix}/{clicked.token}/"
    client.get(url, **PERSON)
    page = client.post(url, {"identifiant": "x", "mot_de_passe": "y"}, **PERSON)
    body = page.content.decode()
    assert "exercice" not in body.lower() and "exercise" not in body.lower()
    assert SimulationResult.objects.get(delivery=clicked).stage == Stage.SUBMITTED

    smtp_server.messages.clear()
    console(admin).post(reverse("phishing:results", args=[later.pk]), {"action": "end"})
    follow_up = Mailing.objects.get(kind=MailingKind.NOTICE)
    (delivery,) = follow_up.deliveries.all()
    assert delivery.person_id == clicked.person_id  # only the person who clicked
    open_window(follow_up)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=follow_up.created_at)
    sending.send_due("w2")
    (sent,) = smtp_server.messages
    text = plain(sent.message.get_body(("plain",)).get_content())
    scenario = _shipped()
    assert scenario.data["red_flags"][0]["explanation"][:40] in text
    assert "Élise" in text and "{{" not in text
    # The follow-up capsule of the scenario's theme is announced (it comes on its own).
    from hygie.library.models import Capsule

    capsule = Capsule.objects.get(theme=scenario.theme, language=later.organisation.language)
    assert capsule.title in text
    later.refresh_from_db()
    assert later.explanations_sent_at is not None
    # Once only.
    console(admin).post(reverse("phishing:results", args=[later.pk]), {"action": "explain"})
    assert Mailing.objects.filter(kind=MailingKind.NOTICE).count() == 1


def test_robots_get_no_explanation(later, smtp_server, client, console, admin):
    launch_and_send(later)
    robot = Delivery.objects.filter(mailing=later.mailing).first()
    client.get(
        f"/{later.path_prefix}/{robot.token}/",
        HTTP_HOST="localhost",
        HTTP_USER_AGENT="Mimecast URL Protect",
    )
    assert SimulationEvent.objects.get().verdict == "automated"
    console(admin).post(reverse("phishing:results", args=[later.pk]), {"action": "end"})
    assert not Delivery.objects.filter(mailing__kind=MailingKind.NOTICE).exists()


@pytest.mark.parametrize("name", ["results", "campaign_preview", "hits", "people"])
def test_another_organisations_campaign_pages_are_not_found(simulation, console, outsider, name):
    url = reverse(f"phishing:{name}", args=[simulation.pk])
    assert console(outsider).get(url).status_code == 404


def test_another_organisations_scenario_version_cannot_be_used(
    simulation, console, admin, outsider, other_organisation
):
    from django.core.exceptions import ValidationError

    from hygie.phishing.services import scenario_edit

    theirs = scenario_edit(
        scenario=_shipped(),
        organisation=other_organisation,
        actor=Actor.staff(outsider),
        data={"title": "Version privée d'une autre union"},
    )
    response = console(admin).post(
        reverse("phishing:simulation_new"),
        {
            "name": "Emprunt",
            "scenarios": [theirs.pk],
            "segment": simulation.segment.pk,
            **DEFAULT_WINDOW,
            "after_click": "teach",
        },
    )
    assert "scenarios" in response.context["form"].errors
    with pytest.raises(ValidationError):
        campaign_create(
            organisation=simulation.organisation,
            actor=Actor.staff(admin),
            name="Emprunt",
            scenarios=[theirs],
            segment=simulation.segment,
        )
    assert not simulation.organisation.simulations.filter(name="Emprunt").exists()


def test_the_teachable_moment_points_to_the_capsule_of_the_theme(simulation, smtp_server, client):
    from hygie.library.models import Capsule

    capsules_sync()
    launch_and_send(simulation)
    delivery = Delivery.objects.first()
    url = f"/{simulation.path_prefix}/{delivery.token}/"
    page = plain(client.post(url, {"identifiant": "x"}, **PERSON).content.decode())
    capsule = Capsule.objects.get(theme=_shipped().theme, language="fr")
    assert 'data-testid="related-capsule"' in page and capsule.title in page
    assert "http://127.0.0.1:8000/espace/" in page


def test_the_content_library_never_lists_another_organisations_versions(
    simulation, console, admin, outsider, other_organisation
):
    from hygie.phishing.services import scenario_edit

    scenario_edit(
        scenario=_shipped(),
        organisation=other_organisation,
        actor=Actor.staff(outsider),
        data={"title": "Version privée d'une autre union"},
    )
    ours = scenario_edit(
        scenario=_shipped(),
        organisation=simulation.organisation,
        actor=Actor.staff(admin),
        data={"title": "Notre version du scénario"},
    )

    page = console(admin).get(reverse("console:library")).content.decode()

    assert "Version privée d&#x27;une autre union" not in page
    assert "Notre version du scénario" in page
    assert reverse("phishing:scenario", args=[ours.pk]) in page


def test_a_simulation_cannot_be_launched_from_the_generic_mailings_page(simulation, console, admin):
    from hygie.delivery.models import MailingStatus

    url = reverse("delivery:mailing_action", args=[simulation.mailing.pk, "launch"])
    page = console(admin).get(reverse("delivery:mailing", args=[simulation.mailing.pk]))
    assert url not in page.content.decode()

    console(admin).post(url)

    simulation.mailing.refresh_from_db()
    assert simulation.mailing.status == MailingStatus.DRAFT
    assert not Delivery.objects.filter(mailing=simulation.mailing).exists()


def test_an_sms_scenario_is_tested_on_ones_own_phone(simulation, console, admin, settings):
    import json

    campaign = campaign_create(
        organisation=simulation.organisation,
        actor=Actor.staff(admin),
        name="Colis",
        scenarios=[_shipped("colis-en-attente-sms")],
        segment=simulation.segment,
    )
    variant = campaign.mailing.variants.get()
    staff = console(admin)
    preview = staff.get(reverse("phishing:campaign_preview", args=[campaign.pk]))
    assert 'name="phone"' in preview.content.decode()
    url = reverse("phishing:results", args=[campaign.pk])

    # No number, or one no SMS can reach: a clear error, nothing sent.
    for phone in ("", "01 23 45 67 89", "pas un numéro"):
        page = staff.post(
            url, {"action": "test", "variant": variant.pk, "phone": phone}, follow=True
        )
        (message,) = page.context["messages"]
        assert message.level_tag == "error"
    assert not Delivery.objects.filter(is_test=True).exists()

    page = staff.post(
        url, {"action": "test", "variant": variant.pk, "phone": "06 12 34 56 78"}, follow=True
    )
    (message,) = page.context["messages"]
    assert "+33612345678" in str(message)
    (file,) = (settings.VAR_DIR / "sms").glob("*.json")
    sms = json.loads(file.read_text())
    test = Delivery.objects.get(is_test=True)
    assert (sms["to"], test.channel, test.recipient) == ("+33612345678", "sms", "+33612345678")
    assert f"/{campaign.path_prefix}/{test.token}/" in sms["text"]
    assert not SimulationResult.objects.filter(delivery=test).exists()


def test_red_flags_are_placed_by_name_in_the_readers_language(simulation, console, admin):
    from hygie.phishing.editing import flags_from_text

    scenario = _shipped()
    staff = console(admin)
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    lines = form.initial["red_flags"].splitlines()
    assert lines and all(
        line.split(" | ")[0]
        in {
            "objet",
            "expéditeur",
            "corps du message",
            "lien",
            "page d’arrivée",
            "SMS",
            "pièce jointe",
        }
        for line in lines
    )
    assert "Endroits : objet, expéditeur, corps du message" in plain(
        str(form["red_flags"].help_text)
    )
    page = plain(staff.get(reverse("phishing:scenario", args=[scenario.pk])).content.decode())
    assert "(corps du message)" in page and "(body)" not in page
    # Typed by name (any case, without accents) or by code, stored as the code.
    typed = "Corps du message | a | b\nPAGE D'ARRIVEE | c | d\nexpediteur | e | f\nlink | g | h"
    from django.utils import translation

    with translation.override("fr"):
        assert [flag["where"] for flag in flags_from_text(typed)] == [
            "body",
            "landing",
            "sender",
            "link",
        ]
