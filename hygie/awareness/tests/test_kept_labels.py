"""Kept results figures hold codes, not labels: figures computed while one language was
active read in the other language with that language's labels (groups, "not given" and
the reading-time buckets)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.awareness import figures as awareness_figures
from hygie.awareness.tests.test_breakdown import read_and_answer
from hygie.delivery.models import Delivery
from hygie.operations import snapshots
from hygie.operations.models import Snapshot
from hygie.testing.text import plain

LABELS = {
    "fr": ("Médecin", "Infirmier(e)", "Non indiqué", "2 à 3 min"),
    "en": ("Doctor", "Nurse", "Not given", "2 to 3 min"),
}


@pytest.mark.parametrize(("computed_in", "read_in"), [("en", "fr"), ("fr", "en")])
def test_kept_figures_are_labelled_in_the_readers_language(
    make_campaign, client, console, admin, monkeypatch, computed_in, read_in
):
    campaign = make_campaign(people=12)  # 6 doctors, 6 nurses, no département
    for delivery in Delivery.objects.filter(mailing=campaign.mailing).order_by("pk")[:6]:
        read_and_answer(client, delivery, campaign, minutes=2)
    campaign.organisation.refresh_from_db()
    for dimension in ("profession", "departement"):
        with translation.override(computed_in):
            snapshots.compute(
                "awareness_results", *awareness_figures.results_arguments(campaign, dimension)
            )
    # Costly figures: the page reads the kept ones.
    monkeypatch.setattr(snapshots, "LIVE_BELOW_SECONDS", 0.25)
    Snapshot.objects.update(seconds=2.0)

    reader = console(admin)
    reader.defaults["HTTP_ACCEPT_LANGUAGE"] = read_in
    page = reverse("awareness:results", args=[campaign.pk])
    doctor, nurse, not_given, bucket = LABELS[read_in]
    wrong_doctor, wrong_nurse, wrong_not_given, wrong_bucket = LABELS[computed_in]

    by_profession = reader.get(page)
    assert not by_profession.context["figures"].live
    html = plain(by_profession.content.decode())
    for label in (doctor, nurse):
        assert f'<th scope="row">{label}</th>' in html
    assert f'<th scope="row">{bucket}</th>' in html
    for label in (wrong_doctor, wrong_nurse, wrong_bucket):
        assert f">{label}<" not in html

    by_departement = reader.get(page, {"by": "departement"})
    assert not by_departement.context["figures"].live
    html = plain(by_departement.content.decode())
    assert f'<th scope="row">{not_given}</th>' in html
    assert f">{wrong_not_given}<" not in html
