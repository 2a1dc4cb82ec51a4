"""Breakdowns with the anonymity threshold: small groups hidden, and nothing hidden can be
worked out by subtracting what is shown from the total shown alongside."""

from __future__ import annotations

from django.urls import reverse


def test_breakdown_page_hides_the_small_group_and_its_complement(world, admin, console):
    url = reverse("analytics:breakdown")
    page = console(admin).get(
        url, {"campaign": f"simulation-{world.spring.pk}", "dimension": "profession"}
    )
    b = page.context["b"]
    rows = {row.label: row for row in b.rows}  # the console speaks French by default
    # 10 doctors, 2 secretaries, k = 3: the total (12) would give the 2 away.
    assert rows["Secrétaire médicale"].state == "below"
    assert rows["Médecin"].state == "withheld"
    assert b.total.people == 12 and b.total.state == "shown"
    html = page.content.decode()
    table = html.split('data-testid="breakdown"')[1].split("</table>")[0]
    assert "<td>10</td>" not in table and "<td>2</td>" not in table
    export = console(admin).get(
        reverse("analytics:export", args=["breakdown", "csv"]),
        {"campaign": f"simulation-{world.spring.pk}", "dimension": "profession"},
    )
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(";")[:2] == ["Médecin", "< 3"]
    assert lines[2].split(";")[:2] == ["Secrétaire médicale", "< 3"]


def test_breakdown_by_departement_matches_the_people(world, admin, console):
    page = console(admin).get(
        reverse("analytics:breakdown"),
        {"campaign": f"simulation-{world.spring.pk}", "dimension": "departement"},
    )
    rows = {row.label: row for row in page.context["b"].rows}
    # People 0–7 live in the 33: 0–5 clicked, 7 reported.
    gironde = rows["33 – Gironde"]
    assert (gironde.people, gironde.clicked.count, gironde.reported.count) == (8, 6, 2)
    assert rows["75 – Paris"].state == rows["69 – Rhône"].state == "below"


def test_breakdown_by_segment_counts_current_members(world, admin, console):
    from hygie.audience.models import Segment

    Segment.objects.create(
        organisation=world.organisation, name="Pédiatres", filters={"specialties": ["Pédiatrie"]}
    )
    Segment.objects.create(
        organisation=world.organisation, name="Gironde", filters={"departements": ["33"]}
    )
    from hygie.analytics import rollups

    rollups.refresh(world.organisation, stale_too=False, everything=True)
    page = console(admin).get(
        reverse("analytics:breakdown"),
        {"campaign": f"awareness-{world.backups.pk}", "dimension": "segment"},
    )
    b = page.context["b"]
    rows = {row.label: row for row in b.rows}
    assert rows["Gironde"].people == 8 and rows["Gironde"].read.count == 7
    assert rows["Pédiatres"].state == "below"
    assert b.total is None  # segments overlap: no total to subtract from
    assert 'data-testid="segment-membership"' in page.content.decode()  # when counted


def test_a_campaign_of_another_organisation_is_not_found(world, outsider, console):
    page = console(outsider).get(
        reverse("analytics:breakdown"), {"campaign": f"simulation-{world.spring.pk}"}
    )
    assert page.status_code == 404
