"""Every shipped scenario: red flags anchored, a difficulty rated on the documented scale,
no real third party's domain or service name, clues that fit any device."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hygie.phishing.content.scenarios import (
    ScenarioError,
    parse,
    problems,
    rated_difficulty,
    scenario_files,
    scenarios_sync,
)

SHIPPED = scenario_files()
# Any address-like name outside the reserved example domains (RFC 2606 / 6761).
DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:fr|com|org|net|io|eu|info|biz|gouv|sante|re|be|ch)\b", re.I
)
# Real services, and names too close to them for a simulation to borrow.
REAL_NAMES = re.compile(
    r"doctolib|maiia|ameli|mssant[ée]|messant[ée]|mon espace sant[ée]|urssaf|carmf|"
    r"impots\.gouv|cybermalveillance|cert sant[ée]|(?-i:\bANSS?I?\b)",
    re.I,
)


def _texts(data: dict) -> str:
    return yaml.safe_dump(
        {k: v for k, v in data.items() if k not in {"notes", "difficulty_rating"}},
        allow_unicode=True,
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_scenario_is_anchored_rated_and_fictional(path: Path):
    data, _checksum = parse(path)
    assert problems(data, path) == []
    rating = data["difficulty_rating"]
    assert data["difficulty"] == rated_difficulty(rating["cues"], rating["premise"])
    text = _texts(data)
    assert not DOMAIN.search(text), DOMAIN.search(text)
    assert not REAL_NAMES.search(text), REAL_NAMES.search(text)
    for flag in data["red_flags"]:
        assert not re.search(r"souris|survol", flag["explanation"], re.I)


def test_the_library_spreads_channels_and_difficulties():
    scenarios = [parse(p)[0] for p in SHIPPED]
    assert {s["difficulty"] for s in scenarios} == {1, 2, 3, 4, 5}
    assert {s["channel"] for s in scenarios} >= {"email", "sms", "qr"}
    assert any(s.get("attachment") for s in scenarios)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"difficulty": 5}, "'difficulty' must be 3 on the scale"),
        ({"difficulty_rating": None}, "difficulty_rating"),
        ({"difficulty_rating": {"cues": 1, "premise": "low", "premise_note": "x"}}, "at least"),
        ({"difficulty_rating": {"cues": 4, "premise": "odd", "premise_note": "x"}}, "premise"),
    ],
)
def test_a_difficulty_off_the_scale_is_refused(tmp_path, db, change, message):
    source = next(p for p in SHIPPED if p.stem == "alerte-connexion-inhabituelle")
    data = yaml.safe_load(source.read_text())
    data.update(change)
    folder = tmp_path / "fr"
    folder.mkdir()
    (folder / source.name).write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ScenarioError, match=message):
        scenarios_sync(directory=tmp_path)


def test_the_console_shows_a_scenarios_rating(console, admin, organisation):
    from django.urls import reverse

    from hygie.phishing.models import Scenario

    scenarios_sync()
    scenario = Scenario.objects.get(slug="contrat-remplacement-a-signer")
    page = console(admin).get(reverse("phishing:scenario", args=[scenario.pk])).content.decode()
    rating = re.search(r'data-testid="difficulty-rating">([^<]+)<', page).group(1)
    assert "4 indices dans le message" in rating
    assert "prétexte proche du travail du lecteur" in rating
    assert "remplacements" in rating


def test_staff_rate_an_edit_and_the_difficulty_follows(console, admin, organisation):
    from django.urls import reverse

    from hygie.phishing.models import Scenario

    scenarios_sync()
    scenario = Scenario.objects.get(slug="contrat-remplacement-a-signer")
    staff = console(admin)
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    assert "difficulty" not in form.fields
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert (data["cues"], data["premise"]) == (4, "high")
    data["cues"] = 1  # fewer than the red flags of the message
    errors = staff.post(url, data).context["form"].errors
    assert "doit compter au moins les 4 indices" in errors["cues"][0]
    assert not Scenario.objects.filter(organisation=organisation).exists()
    data.update(cues=4, premise="low", premise_note="Pour un public sans remplaçant.")
    assert staff.post(url, data).status_code == 302
    new = Scenario.objects.get(organisation=organisation)
    assert new.difficulty == 3 and new.data["difficulty"] == 3
    assert new.data["difficulty_rating"]["premise"] == "low"
