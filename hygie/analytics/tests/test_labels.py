"""Analytics labels come from one source (the audience's attribute labels and the
simulation techniques' choices) and are given when a page is read, in the reader's
language, whatever language was active when the roll-ups were computed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.analytics import rollups, selectors
from hygie.audience.selectors import attribute_label
from hygie.phishing.models import FlagPlace, Technique

PROFESSIONS = {"fr": ("Médecin", "Secrétaire médicale"), "en": ("Doctor", "Medical secretary")}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_group_and_technique_labels_are_those_of_the_audience_and_the_scenarios(language):
    with translation.override(language):
        for dimension, value in [
            ("profession", "doctor"),
            ("profession", "secretary"),
            ("departement", "33"),
            ("departement", "974"),
        ]:
            assert selectors.value_label(dimension, value) == attribute_label(dimension, value)
        assert selectors.value_label("departement", "33") == "33 – Gironde"
        for technique in Technique:
            assert selectors.technique_label(technique.value) == str(technique.label)


@pytest.mark.parametrize(("computed_in", "read_in"), [("en", "fr"), ("fr", "en")])
def test_breakdowns_computed_in_one_language_read_in_the_other(
    world, admin, console, computed_in, read_in
):
    with translation.override(computed_in):
        rollups.refresh(world.organisation, stale_too=False, everything=True)
    reader = console(admin)
    reader.defaults["HTTP_ACCEPT_LANGUAGE"] = read_in
    reader.cookies["django_language"] = read_in
    url = reverse("analytics:breakdown")
    campaign = f"simulation-{world.spring.pk}"

    page = reader.get(url, {"campaign": campaign, "dimension": "profession"})
    labels = {row.label for row in page.context["b"].rows}
    assert labels == set(PROFESSIONS[read_in])
    table = page.content.decode().split('data-testid="breakdown"')[1].split("</table>")[0]
    for label in PROFESSIONS[computed_in]:
        assert label not in table

    page = reader.get(url, {"campaign": campaign, "dimension": "departement"})
    assert {row.label for row in page.context["b"].rows} == {
        "33 – Gironde",
        "75 – Paris",
        "69 – Rhône",
    }


def test_the_red_flags_export_says_where_each_flag_is_in_words(world, admin, console):
    client = console(admin)  # French
    lines = (
        client.get(reverse("analytics:export", args=["flags", "csv"]), {"year": 2025})
        .content.decode("utf-8-sig")
        .splitlines()
    )
    places = {line.split(";")[3] for line in lines[1:]}
    assert places, lines
    with translation.override("fr"):
        labels = {str(place.label) for place in FlagPlace}
    assert places <= labels, places
    assert not places & set(FlagPlace.values)
