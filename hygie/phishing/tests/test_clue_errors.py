"""The errors people really make: one optional tap after a click or a report keeps
only the clues picked, and results give per-clue missed and noticed rates."""

from __future__ import annotations

from django.urls import reverse

from hygie.audience.models import Person
from hygie.delivery.models import Delivery
from hygie.phishing import selectors
from hygie.phishing.models import ClueAnswer, SimulationCampaign
from hygie.phishing.tests.support import PERSON, launch_and_send


def _url(campaign: SimulationCampaign, delivery: Delivery, rest: str = "") -> str:
    return f"/{campaign.path_prefix}/{delivery.token}/{rest}"


def _text(response) -> str:
    """The page with its no-break spaces (French typography) read as spaces."""
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def test_the_explanation_and_the_thanks_ask_which_clue_with_its_own_question(
    simulation, smtp_server, client
):
    launch_and_send(simulation)
    first, second = Delivery.objects.order_by("pk")[:2]
    client.get(_url(simulation, first), **PERSON)  # the landing page's form, then:
    page = _text(client.post(_url(simulation, first), {"identifiant": "x"}, **PERSON))
    assert "Qu'est-ce qui aurait dû vous alerter ?" in page
    assert "Je ne sais pas" in page
    thanks = _text(client.post(_url(simulation, second, "r/"), **PERSON))
    assert "Qu'est-ce qui vous a mis la puce à l'oreille ?" in thanks
    assert 'action="../indices/"' in thanks


def test_only_the_chosen_clue_numbers_are_kept_once(simulation, smtp_server, client):
    launch_and_send(simulation)
    delivery = Delivery.objects.order_by("pk").first()
    url = _url(simulation, delivery, "indices/")
    answer = client.post(url, {"moment": "clicked", "clue": ["2", "1"], "note": "x"}, **PERSON)
    assert answer.status_code == 200 and "Merci pour votre réponse" in answer.content.decode()
    kept = ClueAnswer.objects.get()
    assert (kept.moment, kept.clues) == ("clicked", ["1", "2"])
    assert "note" not in repr(list(ClueAnswer.objects.values()))
    # A second answer, a clue the scenario does not have, nothing ticked: nothing changes.
    client.post(url, {"moment": "clicked", "clue": ["3"]}, **PERSON)
    other = Delivery.objects.order_by("pk")[1]
    refused = client.post(
        _url(simulation, other, "indices/"), {"moment": "clicked", "clue": ["99"]}, **PERSON
    )
    assert "Rien n'a été enregistré" in refused.content.decode()
    client.post(_url(simulation, other, "indices/"), {"moment": "clicked"}, **PERSON)
    client.post(
        f"/{simulation.path_prefix}/{'z' * 27}/indices/",
        {"moment": "clicked", "clue": ["1"]},
        **PERSON,
    )
    assert list(ClueAnswer.objects.values_list("clues", flat=True)) == [["1", "2"]]


def test_per_clue_rates_with_intervals_and_small_cells_hidden(
    simulation, smtp_server, organisation, console, admin
):
    for n in range(3, 10):
        Person.objects.create(organisation=organisation, email=f"p{n}@example.org")
    launch_and_send(simulation)
    deliveries = list(Delivery.objects.filter(mailing=simulation.mailing).order_by("pk"))
    assert len(deliveries) == 10
    # Six who clicked answered: five picked clue 1, one did not know; four reporters
    # answered (below k = 5: their "noticed" figures stay hidden).
    for delivery in deliveries[:5]:
        ClueAnswer.objects.create(delivery=delivery, moment="clicked", clues=["1", "3"])
    ClueAnswer.objects.create(delivery=deliveries[5], moment="clicked", clues=["unknown"])
    for delivery in deliveries[6:]:
        ClueAnswer.objects.create(delivery=delivery, moment="reported", clues=["2"])

    errors = selectors.clue_errors([simulation], threshold=5)
    first = errors.rows[0]
    assert (first.number, first.missed.count, first.missed.total) == (1, 5, 6)
    assert first.missed.percent == 83.3 and first.noticed is None
    low, high = first.missed.interval
    assert low < 83.3 < high
    # Clue 2: picked by nobody who clicked (0 of 6 is shown), its reporters too few.
    by_number = {row.number: row for row in errors.rows}
    assert by_number[2].missed.count == 0 and by_number[2].noticed is None
    assert errors.unknown is None  # one person: a small cell

    page = console(admin).get(reverse("phishing:results", args=[simulation.pk])).content.decode()
    assert "Les erreurs les plus fréquentes" in page
    assert "83,3\u00a0%" in page or "83,3 %" in page
