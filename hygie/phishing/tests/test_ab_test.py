"""A/B tests: two scenarios in equal shares, compared with the margin of error."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.audience.models import Person
from hygie.delivery.models import Delivery
from hygie.phishing.models import Assignment, Scenario, SimulationCampaign
from hygie.phishing.selectors import difference_interval, funnel
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window
from hygie.testing.forms import DEFAULT_WINDOW

SLUGS = ("espace-pro-sante-avis-paiement", "regularisation-cotisations-sociales")


def _scenarios(*slugs: str) -> list[Scenario]:
    return [Scenario.objects.get(slug=slug, organisation__isnull=True) for slug in slugs]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998), "Interval estimation for the difference between independent
        # proportions", Statistics in Medicine 17, table II, method 10.
        ((56, 70, 48, 80), (5.2, 33.4)),
        ((9, 10, 3, 10), (17.1, 80.9)),
        ((10, 10, 0, 10), (60.7, 100.0)),
        ((5, 56, 0, 29), (-3.8, 19.3)),
    ],
)
def test_difference_interval_matches_the_published_values(counts, expected):
    assert difference_interval(*counts) == expected


def _campaign(
    simulation, organisation, admin, people: int, assignment: str = Assignment.AB_TEST
) -> SimulationCampaign:
    for n in range(3, people):
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}@example.org",
            first_name="Jean",
            last_name="Roux",
        )
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="A/B",
        scenarios=_scenarios(*SLUGS),
        segment=simulation.segment,
        assignment=assignment,
    )
    open_window(campaign.mailing)
    launch_and_send(campaign)
    return campaign


def test_an_ab_test_splits_people_in_equal_shares(simulation, organisation, admin, smtp_server):
    campaign = _campaign(simulation, organisation, admin, people=31)
    shares = [
        Delivery.objects.filter(mailing=campaign.mailing, variant__key=f"s{scenario.pk}").count()
        for scenario in _scenarios(*SLUGS)
    ]
    assert sorted(shares) == [15, 16]


def test_the_results_compare_the_two_scenarios(
    simulation, organisation, admin, client, console, smtp_server
):
    campaign = _campaign(simulation, organisation, admin, people=24)
    first, second = _scenarios(*SLUGS)
    deliveries = Delivery.objects.filter(mailing=campaign.mailing).order_by("pk")
    for n, delivery in enumerate(deliveries):
        if delivery.variant.key == f"s{first.pk}":  # everyone sent the first one clicks
            headers = {**PERSON, "REMOTE_ADDR": f"198.51.100.{n + 1}"}
            client.get(f"/{campaign.path_prefix}/{delivery.token}/", **headers)

    comparison = funnel(campaign).comparison
    assert comparison is not None
    assert {arm.title for arm in comparison.arms} == {first.title, second.title}
    clicked = comparison.differences[0]
    by_title = {arm.title: arm for arm in comparison.arms}
    assert by_title[first.title].clicked.percent == 100.0
    assert by_title[second.title].clicked.percent == 0.0
    assert abs(clicked.points) == 100.0 and clicked.clear
    submitted = comparison.differences[1]
    assert submitted.points == 0.0 and not submitted.clear

    page = console(admin).get(reverse("phishing:results", args=[campaign.pk])).content.decode()
    assert 'data-testid="ab-test"' in page and 'data-testid="ab-clicked"' in page


def test_a_random_assignment_shows_no_comparison(simulation, organisation, admin, smtp_server):
    campaign = _campaign(simulation, organisation, admin, people=40, assignment=Assignment.RANDOM)
    found = funnel(campaign)
    assert len(found.by_scenario) == 2  # both shown, each above the threshold
    assert found.comparison is None


def test_an_ab_test_needs_exactly_two_scenarios(simulation, organisation, admin, console):
    with pytest.raises(ValidationError):
        campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Seul",
            scenarios=_scenarios(SLUGS[0]),
            segment=simulation.segment,
            assignment=Assignment.AB_TEST,
        )
    three = _scenarios(*SLUGS, "expiration-mot-de-passe-messagerie")
    response = console(admin).post(
        reverse("phishing:simulation_new"),
        {
            "name": "Trois",
            "scenarios": [s.pk for s in three],
            "segment": simulation.segment.pk,
            **DEFAULT_WINDOW,
            "after_click": "teach",
            "assignment": "ab_test",
        },
    )
    assert "scenarios" in response.context["form"].errors
    assert set(SimulationCampaign.objects.values_list("name", flat=True)) == {"Printemps"}
