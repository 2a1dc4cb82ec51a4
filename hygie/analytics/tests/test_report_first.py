"""Report-first results: reported without clicking, the time to report from the
original's Date, repeat clickers (counts only), each rate beside its difficulty;
the year's most frequent errors come from the clues people picked."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from hygie.analytics import rollups
from hygie.analytics.selectors import programme
from hygie.analytics.tests import builders as b
from hygie.phishing.models import ClueAnswer, HitKind
from hygie.reporting.models import Report


def test_report_first_figures_of_a_year(organisation, admin, console):
    organisation.anonymity_threshold = 2
    organisation.save()
    b.setup_library(organisation)
    people = b.make_people(organisation, [{"profession": "doctor"}] * 6)
    at = dt.datetime(2025, 5, 5, 9, tzinfo=dt.UTC)
    first, one = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", at, "Mai"
    )
    later = at + dt.timedelta(days=30)
    _second, two = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", later, "Juin"
    )
    a, c, d, e = (p.pk for p in people[:4])
    for deliveries, moment in ((one, at), (two, later)):
        b.hit(deliveries[a], at=moment + dt.timedelta(hours=1))
        b.hit(deliveries[c], at=moment + dt.timedelta(hours=1))
    # Two reports without a click in May: one forwarded whose original Date says the
    # message reached the person 50 minutes after our sending.
    b.hit(one[d], HitKind.REPORT, at=at + dt.timedelta(hours=2))
    b.hit(one[e], HitKind.REPORT, at=at + dt.timedelta(hours=1))
    Report.objects.create(
        organisation=organisation,
        delivery=one[d],
        original_sent_at=at + dt.timedelta(minutes=50),
    )
    ClueAnswer.objects.create(delivery=one[a], moment="clicked", clues=["1"])
    ClueAnswer.objects.create(delivery=one[c], moment="clicked", clues=["1"])
    rollups.refresh(organisation, stale_too=False, everything=True)

    year = programme(organisation, 2025)
    may = year.simulations[0]
    assert (may.reported_only.count, may.reported_only.total) == (2, 6)
    # Medians: 70 min (from the original's Date) and 60 min (from our sending).
    assert may.median_report_minutes == 65.0
    assert may.difficulty == first.scenarios.get().difficulty
    assert year.repeat_clickers == 2
    assert (year.reported.count, year.reported.total) == (2, 12)
    assert year.clue_errors.rows[0].missed.count == 2

    for url in (reverse("analytics:overview") + "?year=2025",):
        page = console(admin).get(url).content.decode()
        assert "Signalé sans cliquer" in page
        assert "2 personnes ont cliqué dans au moins deux simulations cette année." in page
        assert "Les erreurs les plus fréquentes" in page
