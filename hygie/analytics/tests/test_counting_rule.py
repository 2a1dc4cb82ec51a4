"""Totals count what happened: a cancelled campaign and one that never sent are left
out of the year's counts and of the people reached, and the pages say so."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from hygie.analytics import rollups
from hygie.analytics.selectors import glance, programme
from hygie.analytics.tests import builders as b
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, MailingStatus


def test_cancelled_and_never_sent_campaigns_are_left_out_of_totals(organisation, admin, console):
    b.setup_library(organisation)
    people = b.make_people(organisation, [{"profession": "doctor"}] * 4)
    at = dt.datetime(2025, 5, 5, 9, tzinfo=dt.UTC)
    _counted, _deliveries = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", at, "Counted"
    )
    cancelled, _ = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", at, "Cancelled"
    )
    Mailing.objects.filter(pk=cancelled.mailing_id).update(status=MailingStatus.CANCELLED)
    never, _ = b.launch_simulation(
        organisation, admin, "alerte-connexion-inhabituelle", at, "Never"
    )
    Delivery.objects.filter(mailing_id=never.mailing_id).update(
        status=DeliveryStatus.CANCELLED, sent_at=None
    )
    rollups.refresh(organisation, stale_too=False, everything=True)

    year = programme(organisation, 2025)
    assert [row.name for row in year.simulations] == ["Counted"]
    assert (year.simulation_count, year.left_out, year.people_reached) == (1, 2, len(people))
    assert glance(organisation, 2025).simulation_count == 1

    page = console(admin).get(reverse("analytics:overview") + "?year=2025").content.decode()
    assert "Règle de comptage" in page
    assert "2 campagnes de l'année exclues." in page
