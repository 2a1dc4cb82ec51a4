"""The statements of every tracked hit, written once as SQL.

Each open or click counts the other recipients hit from the same address (bursts),
looks for a page confirmation (clicks) and moves the delivery's summary forward.
Through the ORM, building these statements cost more than running them (profiled on
the open pixel), so they are plain SQL here, portable between SQLite and
PostgreSQL, with table and column names taken from the models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Field

from hygie.phishing.models import HitKind, SimulationEvent, SimulationResult, Verdict


def _table(model: type[SimulationEvent] | type[SimulationResult]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[SimulationEvent] | type[SimulationResult], field: str) -> str:
    found = model._meta.get_field(field)
    assert isinstance(found, Field)  # noqa: S101 - a concrete column, by construction
    return connection.ops.quote_name(str(found.column))


def recipients_from_source(source: str, since: datetime, delivery_id: int) -> int:
    """Other deliveries hit from `source` since `since` (index on source, at)."""
    e = SimulationEvent
    sql = (
        f"SELECT COUNT(DISTINCT {_column(e, 'delivery')}) FROM {_table(e)}"  # noqa: S608
        f" WHERE {_column(e, 'source')} = %s AND {_column(e, 'at')} >= %s"
        f" AND {_column(e, 'delivery')} <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [source, connection.ops.adapt_datetimefield_value(since), delivery_id])
        return int(cursor.fetchone()[0])


def present_since(delivery_id: int, since: datetime) -> bool:
    """Whether the page confirmed a person on this delivery since `since`."""
    e = SimulationEvent
    sql = (
        f"SELECT 1 FROM {_table(e)} WHERE {_column(e, 'delivery')} = %s"  # noqa: S608
        f" AND {_column(e, 'kind')} = %s AND {_column(e, 'verdict')} = %s"
        f" AND {_column(e, 'at')} >= %s LIMIT 1"
    )
    params: list[Any] = [
        delivery_id,
        HitKind.PRESENCE,
        Verdict.HUMAN,
        connection.ops.adapt_datetimefield_value(since),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def advance(
    delivery_id: int,
    *,
    automated: bool = False,
    uncertain: bool = False,
    confirmed: bool = False,
    stage: int | None = None,
    clicked_at: datetime | None = None,
    submitted_at: datetime | None = None,
    reported_at: datetime | None = None,
) -> None:
    """One UPDATE of the delivery's summary: counters up, stage up (never down), first
    moments kept."""
    r = SimulationResult
    sets: list[str] = []
    params: list[Any] = []
    if automated:
        sets.append(f"{_column(r, 'automated_hits')} = {_column(r, 'automated_hits')} + 1")
    if uncertain:
        sets.append(f"{_column(r, 'uncertain_hits')} = {_column(r, 'uncertain_hits')} + 1")
    if confirmed:
        sets.append(f"{_column(r, 'confirmed')} = %s")
        params.append(True)
    if stage is not None:
        column = _column(r, "stage")
        sets.append(f"{column} = CASE WHEN {column} < %s THEN %s ELSE {column} END")
        params += [int(stage), int(stage)]
    for field, moment in (
        ("clicked_at", clicked_at),
        ("submitted_at", submitted_at),
        ("reported_at", reported_at),
    ):
        if moment is not None:
            column = _column(r, field)
            sets.append(f"{column} = COALESCE({column}, %s)")
            params.append(connection.ops.adapt_datetimefield_value(moment))
    if not sets:
        return
    sql = (
        f"UPDATE {_table(r)} SET {', '.join(sets)}"  # noqa: S608
        f" WHERE {_column(r, 'delivery')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, delivery_id])
