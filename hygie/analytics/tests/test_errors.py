"""Most frequent errors: red flags missed (by technique and difficulty), quiz questions
failed, incident situations reported, each with the anonymity threshold."""

from __future__ import annotations

from django.urls import reverse

from hygie.incidents.tests.helpers import PHISHING_NO_DATA, RANSOMWARE, make_report
from hygie.phishing.models import Scenario


def test_missed_red_flags_are_the_clues_of_what_people_clicked(world, admin, console):
    p = console(admin).get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    spring = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    summer = Scenario.objects.filter(slug="alerte-connexion-inhabituelle").first()
    by_anchor = {f.anchor: f for f in p.flags}
    for flag in spring.data["red_flags"]:
        row = by_anchor[flag["anchor"]]
        # 6 people clicked out of 12 who received it (the sandbox is no one).
        assert (row.missed.count, row.missed.total) == (6, 12)
        assert (row.technique, row.difficulty) == (spring.technique, spring.difficulty)
    assert by_anchor[summer.data["red_flags"][0]["anchor"]].missed.count == 2
    # Sorted by the share of people who missed them.
    assert [f.missed.percent for f in p.flags] == sorted(
        (f.missed.percent for f in p.flags), reverse=True
    )
    techniques = {(t.technique, t.difficulty): t.clicked for t in p.techniques}
    assert techniques[(spring.technique, spring.difficulty)].count == 6


def test_questions_most_failed_use_each_readers_first_attempt(world, admin, console):
    p = console(admin).get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    backups = world.backups.capsule.quiz
    top = {q.question: q for q in p.questions}
    first = top[backups[0]["question"]]
    # People 0, 1, 2 and 4 got it wrong; person 0's right retry does not count.
    assert (first.wrong.count, first.answers) == (4, 5)
    second = top[backups[1]["question"]]
    assert (second.wrong.count, second.answers) == (1, 5)
    updates = world.updates.capsule.quiz
    assert top[updates[1]["question"]].wrong.percent == 100.0


def test_questions_answered_by_fewer_than_k_are_hidden(world, admin, console):
    world.organisation.anonymity_threshold = 4
    world.organisation.save()
    p = console(admin).get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    assert p.questions and all(q.answers >= 4 for q in p.questions)
    assert world.updates.name not in {q.campaign for q in p.questions}  # 3 takers only


def test_incident_situations_most_reported_with_small_counts_hidden(organisation, admin, console):
    organisation.anonymity_threshold = 3
    organisation.save()
    for _ in range(4):
        make_report(organisation, RANSOMWARE)
    make_report(organisation, PHISHING_NO_DATA)
    year = make_report(organisation, RANSOMWARE).created_at.year
    page = console(admin).get(reverse("analytics:overview"), {"year": year})
    p = page.context["p"]
    assert p.incidents_total == 6
    # One situation below k: the other is withheld too, or 6 − 5 would give it away.
    assert [(row.count, row.state) for row in p.incidents] == [(5, "withheld"), (1, "below")]
    table = page.content.decode().split('data-testid="incidents"')[1].split("</table>")[0]
    assert "<td>5</td>" not in table and table.count("&lt; 3") == 2
