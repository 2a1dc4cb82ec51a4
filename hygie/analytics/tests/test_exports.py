"""CSV and XLSX of every aggregate table, formula-safe; individual results only for the
roles allowed, and audited."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.analytics.exports import PROGRAMME_TABLES
from hygie.awareness.models import AwarenessCampaign


def test_every_aggregate_table_exports_as_csv_and_xlsx(world, admin, console):
    client = console(admin)
    for table in PROGRAMME_TABLES:
        csv = client.get(reverse("analytics:export", args=[table, "csv"]), {"year": 2025})
        assert csv.status_code == 200
        assert csv["Content-Disposition"] == f'attachment; filename="{table}-2025.csv"'
        lines = csv.content.decode("utf-8-sig").splitlines()
        xlsx = client.get(reverse("analytics:export", args=[table, "xlsx"]), {"year": 2025})
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert len(rows) == len(lines) > 1, table  # the same table, header included


def test_simulation_table_carries_the_figures_of_the_page(world, admin, console):
    client = console(admin)
    p = client.get(reverse("analytics:overview"), {"year": 2025}).context["p"]
    lines = (
        client.get(reverse("analytics:export", args=["simulations", "csv"]), {"year": 2025})
        .content.decode("utf-8-sig")
        .splitlines()
    )
    spring = next(r for r in p.simulations if r.name == "Printemps")
    cells = lines[1].split(";")
    assert cells[0] == "Printemps"
    # French decimals in the CSV…
    assert cells[2:6] == [
        str(spring.sent),
        f"{spring.clicked.percent:g}".replace(".", ","),
        f"{spring.clicked.low:g}".replace(".", ","),
        f"{spring.clicked.high:g}".replace(".", ","),
    ]
    # …and numbers as numbers in the XLSX.
    xlsx = client.get(reverse("analytics:export", args=["simulations", "xlsx"]), {"year": 2025})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    row = next(r for r in rows if r[0] == "Printemps")
    assert row[2] == spring.sent and row[3] == spring.clicked.percent


def test_exports_are_safe_against_formula_injection(world, admin, console):
    AwarenessCampaign.objects.filter(pk=world.backups.pk).update(name='=HYPERLINK("x")')
    world.backups.refresh_from_db()
    from hygie.analytics import rollups

    rollups.refresh(world.organisation, stale_too=False, everything=True)
    client = console(admin)
    csv = client.get(reverse("analytics:export", args=["awareness", "csv"]), {"year": 2025})
    assert "'=HYPERLINK" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("analytics:export", args=["awareness", "xlsx"]), {"year": 2025})
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row]
    # Text, shown as written: no formula, and no apostrophe in front of it.
    (name,) = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert (name.value, name.data_type) == ('=HYPERLINK("x")', "s")


def test_unknown_tables_and_formats_are_not_found(world, admin, console):
    client = console(admin)
    assert client.get(reverse("analytics:export", args=["people", "csv"])).status_code == 404
    assert client.get(reverse("analytics:export", args=["themes", "pdf"])).status_code == 404


def test_individual_results_only_for_roles_allowed_and_audited(world, admin, staff_of, console):
    url = reverse("analytics:individual_export", args=["simulation", world.spring.pk, "csv"])
    for role in (Role.ANALYST, Role.CAMPAIGN_MANAGER, Role.INCIDENT_HANDLER):
        assert console(staff_of(role)).get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="analytics.individual_results_exported").exists()
    response = console(admin).get(url)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 13  # header + 12 people
    entry = AuditEntry.objects.get(action="analytics.individual_results_exported")
    assert entry.actor == admin and entry.details["campaign"] == world.spring.pk
    awareness = console(admin).get(
        reverse("analytics:individual_export", args=["awareness", world.backups.pk, "xlsx"])
    )
    assert len(list(load_workbook(io.BytesIO(awareness.content)).active.iter_rows())) == 13


def test_individual_results_of_another_organisation_are_not_found(world, outsider, console):
    url = reverse("analytics:individual_export", args=["simulation", world.spring.pk, "csv"])
    assert console(outsider).get(url).status_code == 404
