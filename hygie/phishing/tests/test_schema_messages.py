"""The scenario schema's problems speak the reader's language: the console's editor
and the publishing of a draft name the field by the editor's label, in French or in
English; the file loader names it by its YAML key, which content authors write."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.console.tests.test_nothing_english import problems as english_on
from hygie.console.tests.test_nothing_english import visible_text
from hygie.delivery import attachments
from hygie.phishing.content.scenarios import parse, problems, scenario_files, scenarios_sync
from hygie.phishing.models import Scenario, ScenarioStatus
from hygie.testing.text import plain

SLUG = "espace-pro-sante-avis-paiement"


@pytest.fixture
def shipped(db) -> Scenario:
    scenarios_sync()
    return Scenario.objects.get(slug=SLUG, organisation__isnull=True)


def _edit_with_bad_sender(staff, scenario: Scenario, language: str):
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["sender_local_part"] = "facturation@ailleurs.example"
    data["text_body"] = "Plus de lien ici."
    return staff.post(url, data)


def test_the_editor_names_a_refused_field_in_french(shipped, console, admin, organisation):
    page = _edit_with_bad_sender(console(admin), shipped, "fr")
    errors = page.context["form"].errors
    assert errors["sender_local_part"] == [
        "« Adresse de l'expéditeur (avant le @) » ne contient que la partie avant le @"
    ]
    assert errors["text_body"] == ["« Version texte » doit contenir le lien suivi {{ lien }}"]
    text = plain(visible_text(page.content.decode()))
    assert "« Adresse de l'expéditeur (avant le @) » ne contient que la partie avant le @" in text
    assert english_on(page.content.decode()) == []
    assert not Scenario.objects.filter(organisation=organisation).exists()


def test_the_editor_names_a_refused_field_in_english(shipped, console, admin, organisation):
    page = _edit_with_bad_sender(console(admin), shipped, "en")
    errors = page.context["form"].errors
    assert errors["sender_local_part"] == [
        "“Sender address (before the @)” is only the part before @"
    ]
    assert errors["text_body"] == ["“Text version” must contain the tracked link {{ lien }}"]
    assert "is only the part before @" in visible_text(page.content.decode())
    assert not Scenario.objects.filter(organisation=organisation).exists()


def test_a_draft_failing_the_schema_shows_a_french_reason_on_publish(
    shipped, console, admin, organisation
):
    data = dict(shipped.data)
    data.update(sender_local_part="x@y.example", red_flags=data["red_flags"][:2])
    data["difficulty_rating"] = {**data["difficulty_rating"], "premise": "odd"}
    draft = Scenario.objects.create(
        organisation=organisation,
        slug=shipped.slug,
        language=shipped.language,
        version=1,
        title=shipped.title,
        channel=shipped.channel,
        technique=shipped.technique,
        difficulty=shipped.difficulty,
        theme=shipped.theme,
        last_reviewed=shipped.last_reviewed,
        checksum="draft",
        data=data,
        created_by=admin,
        status=ScenarioStatus.DRAFT,
    )
    staff = console(admin)
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = staff.post(reverse("phishing:scenario_publish", args=[draft.pk]), follow=True)
    text = plain(visible_text(page.content.decode()))
    assert "Ce brouillon n’est pas encore complet" in text
    for reason in (
        "« Adresse de l'expéditeur (avant le @) » ne contient que la partie avant le @",
        "il faut de 3 à 6 indices",
        "« Proximité du prétexte avec le travail du lecteur » doit valoir l'une de ces "
        "valeurs : Faible, Moyenne, Élevée",
    ):
        assert reason in text
    assert english_on(page.content.decode()) == []
    draft.refresh_from_db()
    assert draft.status == ScenarioStatus.DRAFT


def _broken_file(tmp_path: Path) -> tuple[dict, Path]:
    source = next(p for p in scenario_files() if p.stem == SLUG)
    data, _checksum = parse(source)
    data["sender_local_part"] = "x@y.example"
    return data, tmp_path / "autre-nom.yaml"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["le nom du fichier doit être le slug", "'sender_local_part' ne contient que"]),
        ("en", ["the file name must be the slug", "'sender_local_part' is only the part before @"]),
    ],
)
def test_the_loader_names_the_yaml_key_in_both_languages(tmp_path, language, expected):
    data, path = _broken_file(tmp_path)
    with translation.override(language):
        found = problems(data, path)
    assert len(found) == 2
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start)


def test_an_attachments_problems_follow_the_language():
    with translation.override("fr"):
        french = attachments.problems("facture.exe", "<p>{{ inconnu }}</p>")
    assert french == {
        "attachment_name": "la pièce jointe doit avoir un nom de fichier fait de lettres, "
        "chiffres, points, tirets ou tirets bas, finissant par .pdf ou .ics",
        "attachment_html": "variable(s) inconnue(s) : inconnu",
    }
    with translation.override("en"):
        english = attachments.problems("facture.exe", "<p>{{ inconnu }}</p>")
    assert english["attachment_html"] == "unknown placeholder(s): inconnu"
