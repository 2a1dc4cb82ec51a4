"""Every aggregate table of the dashboard as rows for CSV/XLSX, and the individual export.

Aggregate tables carry exactly what the page shows (hidden cells stay hidden);
rows are made formula-safe by the audience exports' helpers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from hygie.audience.exports import spreadsheet_safe
from hygie.awareness.models import AwarenessCampaign
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.phishing.models import SimulationResult

from .models import CampaignKind, CampaignRollup
from .selectors import Breakdown, Programme
from .stats import Rate

Table = tuple[list[str], list[list[object]]]


def _rate(rate: Rate, shown: bool = True) -> list[object]:
    if not shown or rate.percent is None:
        return ["", "", ""]
    return [rate.percent, rate.low, rate.high]


def _rate_headers(name: str) -> list[str]:
    return [
        f"{name} (%)",
        _("%(name)s, 95 %% low") % {"name": name},
        _("%(name)s, 95 %% high") % {"name": name},
    ]


def themes(p: Programme) -> Table:
    headers = [_("Theme"), _("Campaigns"), _("People reached"), *_rate_headers(_("Read"))]
    headers += [_("Quiz takers"), _("Average quiz score (%)")]
    rows = [
        [r.label, r.campaigns, r.sent, *_rate(r.read), r.quiz_takers, r.average_score]
        for r in p.themes
    ]
    return headers, rows


def awareness(p: Programme) -> Table:
    headers = [_("Campaign"), _("Theme"), _("Started"), _("Sent"), *_rate_headers(_("Read"))]
    headers += [_("Quiz takers"), _("Average quiz score (%)")]
    rows = [
        [
            r.name,
            r.theme,
            r.started_at.date().isoformat(),
            r.sent,
            *_rate(r.read),
            r.quiz_takers,
            r.average_score,
        ]
        for r in p.awareness
    ]
    return headers, rows


def simulations(p: Programme) -> Table:
    headers = [_("Simulation"), _("Started"), _("Sent")]
    headers += _rate_headers(_("Clicked")) + _rate_headers(_("Submitted"))
    headers += _rate_headers(_("Reported"))
    headers += _rate_headers(_("Reported without clicking"))
    headers += [_("Median time to report (minutes)"), _("Difficulty (1–5)")]
    headers += [_("Automated hits excluded")]
    rows = [
        [
            r.name,
            r.started_at.date().isoformat(),
            r.sent,
            *_rate(r.clicked, r.shown),
            *_rate(r.submitted, r.shown),
            *_rate(r.reported, r.shown),
            *(_rate(r.reported_only, r.shown) if r.reported_only else ["", "", ""]),
            r.median_report_minutes,
            r.difficulty,
            r.automated_hits,
        ]
        for r in p.simulations
    ]
    return headers, rows


def questions(p: Programme) -> Table:
    headers = [_("Campaign"), _("Question"), _("Answers"), *_rate_headers(_("Wrong"))]
    rows = [[q.campaign, q.question, q.answers, *_rate(q.wrong)] for q in p.questions]
    return headers, rows


def flags(p: Programme) -> Table:
    headers = [_("Technique"), _("Difficulty"), _("Scenario"), _("Where"), _("Red flag")]
    headers += [_("Received"), *_rate_headers(_("Missed"))]
    rows = [
        [
            f.technique_label,
            f.difficulty,
            f.scenario,
            f.where_label,
            f.anchor,
            f.missed.total,
            *_rate(f.missed),
        ]
        for f in p.flags
    ]
    return headers, rows


def techniques(p: Programme) -> Table:
    headers = [_("Technique"), _("Difficulty"), _("Received"), *_rate_headers(_("Clicked"))]
    rows = [
        [t.technique_label, t.difficulty, t.clicked.total, *_rate(t.clicked)] for t in p.techniques
    ]
    return headers, rows


def incidents(p: Programme) -> Table:
    headers = [_("Situation"), _("Reports")]
    rows: list[list[object]] = [
        [r.label, r.count if r.state == "shown" else f"< {p.threshold}"] for r in p.incidents
    ]
    return headers, rows


def transitions(p: Programme) -> Table:
    headers = [_("First simulation"), _("Latest simulation"), _("People")]
    rows: list[list[object]] = [
        [t.first, t.latest, t.count if t.state == "shown" else f"< {p.threshold}"]
        for t in p.transitions
    ]
    return headers, rows


PROGRAMME_TABLES: dict[str, Callable[[Programme], Table]] = {
    "themes": themes,
    "awareness": awareness,
    "simulations": simulations,
    "questions": questions,
    "flags": flags,
    "techniques": techniques,
    "incidents": incidents,
    "transitions": transitions,
}


def breakdown_table(b: Breakdown) -> Table:
    awareness_kind = b.rollup.kind == CampaignKind.AWARENESS
    headers = [_("Group"), _("People")]
    if awareness_kind:
        headers += [*_rate_headers(_("Read")), _("Average quiz score (%)")]
    else:
        headers += _rate_headers(_("Clicked")) + _rate_headers(_("Submitted"))
        headers += _rate_headers(_("Reported"))
    rows: list[list[object]] = []
    for row in [*b.rows, *([b.total] if b.total else [])]:
        label = row.label or (_("Total") if row is b.total else _("Not specified"))
        if row.state != "shown":
            rows.append([label, f"< {b.rollup.organisation.anonymity_threshold}"])
            continue
        if awareness_kind:
            rows.append([label, row.people, *_rate(row.read), row.average_score])
        else:
            rows.append(
                [
                    label,
                    row.people,
                    *_rate(row.clicked),
                    *_rate(row.submitted),
                    *_rate(row.reported),
                ]
            )
    return headers, rows


def safe_rows(rows: list[list[object]]) -> Iterator[list[str]]:
    """Rows for a CSV opened by French Excel: decimals with a comma."""
    for row in rows:
        yield [french_cell(value) for value in row]


def french_cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",") if value == value else ""
    return spreadsheet_safe("" if value is None else value)


def xlsx_table(rows: list[list[object]], headers: list[str], title: str) -> bytes:
    """An XLSX whose figures are numbers (they sum and sort) and whose text is text,
    even when it starts like a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")

    def cells(values: list[object]) -> list[WriteOnlyCell]:
        out = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float):
                # A text cell is shown as written, never run: no apostrophe needed
                # (the CSV, which a spreadsheet reads as typed, keeps its guard).
                cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            out.append(cell)
        return out

    sheet.append(cells(list(headers)))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def individual_table(rollup: CampaignRollup) -> Table:
    """One row per recipient still linked to a person (for roles allowed, audited)."""
    if rollup.kind == CampaignKind.SIMULATION:
        headers = [_("Pseudonymous id"), _("Last name"), _("First name"), _("Email")]
        headers += [_("Département"), _("Furthest step"), _("Clicked at"), _("Reported at")]
        rows: list[list[object]] = []
        for result in (
            SimulationResult.objects.filter(
                campaign_id=rollup.campaign_id,
                delivery__status=DeliveryStatus.SENT,
                delivery__person__isnull=False,
            )
            .select_related("delivery__person")
            .order_by("delivery__person__last_name", "pk")
        ):
            person = result.delivery.person
            if person is None:  # unlinked by the retention job meanwhile
                continue
            rows.append(
                [
                    person.pseudonym,
                    person.last_name,
                    person.first_name,
                    person.email,
                    person.departement,
                    result.get_stage_display(),
                    result.clicked_at.isoformat() if result.clicked_at else "",
                    result.reported_at.isoformat() if result.reported_at else "",
                ]
            )
        return headers, rows
    campaign = AwarenessCampaign.objects.get(pk=rollup.campaign_id)
    headers = [_("Pseudonymous id"), _("Last name"), _("First name"), _("Email")]
    headers += [_("Département"), _("Opened the capsule"), _("Latest quiz score (%)")]
    rows = []
    for delivery in (
        Delivery.objects.filter(
            mailing=campaign.mailing,
            is_test=False,
            status=DeliveryStatus.SENT,
            person__isnull=False,
        )
        .select_related("person")
        .prefetch_related("reading_events", "quiz_attempts")
        .order_by("person__last_name", "pk")
    ):
        person = delivery.person
        if person is None:
            continue
        opened = any(
            not e.automated and e.kind == "page_viewed" for e in delivery.reading_events.all()
        )
        attempts = sorted(delivery.quiz_attempts.all(), key=lambda a: (a.completed_at, a.pk))
        # The score kept is the first attempt, given before the explanations were seen.
        score = round(100 * attempts[0].score / attempts[0].total) if attempts else ""
        rows.append(
            [
                person.pseudonym,
                person.last_name,
                person.first_name,
                person.email,
                person.departement,
                _("yes") if opened else _("no"),
                score,
            ]
        )
    return headers, rows
