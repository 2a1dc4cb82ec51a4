"""Results by segment and reading times, with the anonymity threshold and no way back by
subtraction."""

from __future__ import annotations

from django.urls import reverse

from hygie.audience.models import Profession
from hygie.awareness.breakdown import breakdown
from hygie.awareness.models import QuizAttempt
from hygie.awareness.tests.conftest import BROWSER
from hygie.delivery.models import Delivery


def labels():
    # Requests leave their language active: compare with labels in the current one.
    return str(Profession.DOCTOR.label), str(Profession.NURSE.label)


def read_and_answer(client, delivery, campaign, minutes: int) -> None:
    url = reverse("awareness:capsule", args=[delivery.token])
    client.get(url, HTTP_USER_AGENT=BROWSER)
    client.post(
        url, {f"q{i}": "0" for i in range(len(campaign.capsule.quiz))}, HTTP_USER_AGENT=BROWSER
    )
    attempt = QuizAttempt.objects.filter(delivery=delivery).latest("pk")
    attempt.reading_seconds = minutes * 60 + 30
    attempt.save()


def test_by_profession_small_groups_are_hidden(make_campaign, client, organisation):
    # 12 people: 6 doctors and 6 nurses.
    campaign = make_campaign(people=12)
    sent = Delivery.objects.filter(mailing=campaign.mailing).order_by("pk")
    readers = [*sent.filter(person__profession="doctor")[:4]]
    readers += [*sent.filter(person__profession="nurse")[:4]]
    for delivery in readers:
        read_and_answer(client, delivery, campaign, minutes=2)
    result = breakdown(campaign, "profession")
    DOCTOR, NURSE = labels()
    rows = {r.label: r for r in result.rows}
    assert rows[DOCTOR].recipients == 6 and rows[NURSE].recipients == 6
    # 4 readers in each group: under k = 5, so hidden (and the column has two hidden cells).
    assert rows[DOCTOR].readers is None and rows[NURSE].readers is None
    assert rows[DOCTOR].average_score is None
    organisation.anonymity_threshold = 3
    organisation.save()
    campaign.organisation.refresh_from_db()
    rows = {r.label: r for r in breakdown(campaign, "profession").rows}
    assert (rows[DOCTOR].readers, rows[NURSE].readers) == (4, 4)
    assert rows[DOCTOR].average_score is not None


def test_a_group_under_k_is_hidden_whole_and_its_neighbour_too(make_campaign, organisation):
    campaign = make_campaign(people=9)  # 5 doctors, 4 nurses
    DOCTOR, NURSE = labels()
    rows = {r.label: r for r in breakdown(campaign, "profession").rows}
    # 4 nurses are under k; hiding them alone would leave 9 - 5 = 4 readable.
    assert rows[NURSE] == type(rows[NURSE])("profession", "nurse", None, None, None, None)
    assert rows[DOCTOR].recipients is None


def test_reading_time_distribution(make_campaign, client, organisation, console, admin):
    organisation.anonymity_threshold = 2
    organisation.save()
    campaign = make_campaign(people=6)
    deliveries = list(Delivery.objects.filter(mailing=campaign.mailing).order_by("pk"))
    for delivery, minutes in zip(deliveries, [1, 1, 2, 2, 2, 12], strict=True):
        read_and_answer(client, delivery, campaign, minutes)
    campaign.organisation.refresh_from_db()
    result = breakdown(campaign)
    counts = [b.count for b in result.reading_times]
    # under 1 | 1-2 | 2-3 | 3-5 | 5-10 | over 10: the single "over 10" is hidden with the
    # next smallest, so neither can be worked out from the total of 6.
    assert counts == [0, None, 3, 0, 0, None]
    assert result.timed_readers == 6
    page = console(admin).get(reverse("awareness:results", args=[campaign.pk]))
    html = page.content.decode()
    assert 'data-testid="reading-time-chart"' in html and 'role="img"' in html
    assert 'data-testid="reading-time-table"' in html
    assert "<script" not in html.split("<main", 1)[1]


def test_reading_times_wait_for_k_readers(make_campaign, client, console, admin):
    campaign = make_campaign(people=3)
    for delivery in Delivery.objects.filter(mailing=campaign.mailing):
        read_and_answer(client, delivery, campaign, minutes=2)
    assert all(b.count is None for b in breakdown(campaign).reading_times)
    html = console(admin).get(reverse("awareness:results", args=[campaign.pk])).content.decode()
    assert 'data-testid="reading-time-chart"' not in html


def test_results_page_groups_by_the_chosen_dimension(make_campaign, console, admin):
    campaign = make_campaign(people=5)
    page = console(admin).get(reverse("awareness:results", args=[campaign.pk]), {"by": "nope"})
    assert page.context["breakdown"].dimension == "profession"
    page = console(admin).get(
        reverse("awareness:results", args=[campaign.pk]), {"by": "departement"}
    )
    assert page.context["breakdown"].dimension == "departement"
    assert [r.label for r in page.context["breakdown"].rows] == ["Not given"]
    assert page.context["breakdown"].rows[0].recipients == 5
