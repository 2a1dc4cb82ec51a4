"""The statements of every tracked hit, written once as SQL.

Each open or click counts the other recipients' links the same visitor clicked
lately (bursts), looks for that visitor's page confirmation (clicks) and moves the
delivery's summary forward.
Through the ORM, building these statements cost more than running them (profiled on
the open pixel), so they are plain SQL here, portable between SQLite and
PostgreSQL, with table and column names taken from the models, and planned once per
connection on PostgreSQL (hygie/lib/prepared.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model

from hygie.delivery.models import Delivery
from hygie.lib import prepared
from hygie.phishing.models import (
    HitKind,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)


@cache
def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _column(model: type[Model], field: str) -> str:
    found = model._meta.get_field(field)
    assert isinstance(found, Field)  # noqa: S101 - a concrete column, by construction
    return connection.ops.quote_name(str(found.column))


@dataclass(frozen=True)
class Signals:
    """What the detector reads before recording a hit."""

    recipients_from_visitor: int  # other deliveries the same visitor clicked lately
    present: bool  # the page confirmed this visitor on this delivery lately


def signal_columns(*, presence: bool) -> list[str]:
    """The SQL expressions of the signals, over the delivery's row aliased `t0`, so
    that they can ride in the SELECT that finds the delivery (one round trip per hit).
    Their parameters: `signal_params`."""
    e = SimulationEvent
    delivery, at = _column(e, "delivery"), _column(e, "at")
    this = f"t0.{connection.ops.quote_name(str(Delivery._meta.pk.column))}"
    visitor, kind, verdict = _column(e, "visitor"), _column(e, "kind"), _column(e, "verdict")
    # Clicks only, not yet confirmed by their page: a mail proxy fetching every
    # recipient's open image, or colleagues the page already saw, are no burst.
    columns = [
        f"(SELECT COUNT(DISTINCT {delivery}) FROM {_table(e)}"  # noqa: S608
        f" WHERE {visitor} = %s AND {at} >= %s AND {delivery} <> {this}"
        f" AND {kind} = %s AND {verdict} <> %s)"
    ]
    if presence:
        columns.append(
            f"EXISTS (SELECT 1 FROM {_table(e)} WHERE {delivery} = {this}"  # noqa: S608
            f" AND {kind} = %s AND {verdict} = %s AND {visitor} = %s AND {at} >= %s)"
        )
    return columns


def signal_params(
    visitor: str, *, burst_since: datetime, presence_since: datetime | None
) -> list[Any]:
    """`signal_columns`' parameters: bursts of `visitor` since `burst_since`, its page
    confirmation since `presence_since` (when asked for)."""
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = [visitor, adapt(burst_since), HitKind.CLICK, Verdict.HUMAN]
    if presence_since is not None:
        params += [HitKind.PRESENCE, Verdict.HUMAN, visitor, adapt(presence_since)]
    return params


def read_signals(values: Sequence[Any]) -> Signals:
    """The signals from the values of `signal_columns`."""
    return Signals(
        recipients_from_visitor=int(values[0]), present=len(values) > 1 and bool(values[1])
    )


def signals(
    delivery_id: int, visitor: str, *, burst_since: datetime, presence_since: datetime | None
) -> Signals:
    """The signals of a delivery already in hand (one statement)."""
    columns = signal_columns(presence=presence_since is not None)
    pk = connection.ops.quote_name(str(Delivery._meta.pk.column))
    sql = (
        f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(Delivery._meta.db_table)}"  # noqa: S608
        f" t0 WHERE t0.{pk} = %s"
    )
    params = signal_params(visitor, burst_since=burst_since, presence_since=presence_since)
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [*params, delivery_id])
        row = cursor.fetchone()
    return read_signals(row)


def present_since(delivery_id: int, visitor: str, since: datetime) -> bool:
    """Whether the page confirmed this visitor on this delivery since `since`."""
    e = SimulationEvent
    sql = (
        f"SELECT 1 FROM {_table(e)} WHERE {_column(e, 'delivery')} = %s"  # noqa: S608
        f" AND {_column(e, 'kind')} = %s AND {_column(e, 'verdict')} = %s"
        f" AND {_column(e, 'visitor')} = %s AND {_column(e, 'at')} >= %s LIMIT 1"
    )
    params: list[Any] = [
        delivery_id,
        HitKind.PRESENCE,
        Verdict.HUMAN,
        visitor,
        connection.ops.adapt_datetimefield_value(since),
    ]
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchone() is not None


def advance(delivery_id: int, **change: Any) -> None:
    """One UPDATE of the delivery's summary: counters up, stage up (never down), first
    moments kept. `change`: `_advance_statement`'s keywords."""
    update = _advance_statement(delivery_id, **change)
    if update is not None:
        with connection.cursor() as cursor:
            prepared.execute(cursor, *update)


def _advance_statement(
    delivery_id: int,
    *,
    automated: bool = False,
    uncertain: bool = False,
    confirmed: bool = False,
    stage: int | None = None,
    clicked_at: datetime | None = None,
    submitted_at: datetime | None = None,
    reported_at: datetime | None = None,
) -> tuple[str, list[Any]] | None:
    """The UPDATE (and its parameters) of one new event: `automated` and `uncertain`
    count a hit of that verdict, `confirmed` marks a person confirmed, `stage` is the
    least stage reached, the moments are kept if none was before. None: no change."""
    moments = (clicked_at, submitted_at, reported_at)
    shape = (automated, uncertain, confirmed, stage is not None, *(m is not None for m in moments))
    if not any(shape):
        return None
    params: list[Any] = [True] if confirmed else []
    if stage is not None:
        params += [int(stage), int(stage)]
    adapt = connection.ops.adapt_datetimefield_value
    params += [adapt(moment) for moment in moments if moment is not None]
    return _update_sql(shape), [*params, delivery_id]


@cache
def _update_sql(shape: tuple[bool, ...]) -> str:
    """The summary's UPDATE for one combination of changes (`_advance_statement`)."""
    automated, uncertain, confirmed, stage, *moments = shape
    r = SimulationResult
    sets: list[str] = []
    for wanted, counter in ((automated, "automated_hits"), (uncertain, "uncertain_hits")):
        if wanted:
            sets.append(f"{_column(r, counter)} = {_column(r, counter)} + 1")
    if confirmed:
        sets.append(f"{_column(r, 'confirmed')} = %s")
    if stage:
        column = _column(r, "stage")
        sets.append(f"{column} = CASE WHEN {column} < %s THEN %s ELSE {column} END")
    for wanted, field in zip(moments, ("clicked_at", "submitted_at", "reported_at"), strict=True):
        if wanted:
            column = _column(r, field)
            sets.append(f"{column} = COALESCE({column}, %s)")
    return (
        f"UPDATE {_table(r)} SET {', '.join(sets)}"  # noqa: S608
        f" WHERE {_column(r, 'delivery')} = %s"
    )


# The event's columns, in the order of `append`'s INSERT (the primary key is the
# database's to choose).
_EVENT_FIELDS = [
    field
    for field in SimulationEvent._meta.concrete_fields
    if not getattr(field, "primary_key", False)
]


def append(event: SimulationEvent, **change: Any) -> None:
    """Insert a new event and move its delivery's summary forward (`advance`'s
    arguments), both or neither. On PostgreSQL this is one statement (the UPDATE rides
    in a WITH clause), so no transaction has to be opened and committed around it;
    SQLite runs the two in one short transaction. Sets the event's primary key."""
    values = [
        field.get_db_prep_save(getattr(event, field.attname), connection) for field in _EVENT_FIELDS
    ]
    insert = _insert_sql()
    update = _advance_statement(event.delivery_id, **change)
    if update is not None and connection.vendor == "postgresql":
        statement = _with_update_sql(update[0])
        with connection.cursor() as cursor:
            prepared.execute(cursor, statement, update[1] + values)
            event.pk = cursor.fetchone()[0]
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            prepared.execute(cursor, insert, values)
            event.pk = cursor.fetchone()[0]
            if update is not None:
                prepared.execute(cursor, *update)
    event._state.adding = False
    event._state.db = connection.alias


@cache
def _insert_sql() -> str:
    columns = ", ".join(_column(SimulationEvent, field.name) for field in _EVENT_FIELDS)
    return (
        f"INSERT INTO {_table(SimulationEvent)} ({columns})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(_EVENT_FIELDS))})"
        f" RETURNING {_column(SimulationEvent, 'id')}"
    )


@cache
def _with_update_sql(update: str) -> str:
    """The event's INSERT with the summary's UPDATE riding in a WITH clause."""
    return f"WITH summary AS ({update} RETURNING 1) {_insert_sql()}"


def count_anonymous_open(mailing_id: int) -> None:
    """One more person's open on the campaign-wide counter (no event kept)."""
    c = SimulationCampaign
    counter = _column(c, "anonymous_opens")
    sql = (
        f"UPDATE {_table(c)} SET {counter} = {counter} + 1"  # noqa: S608
        f" WHERE {_column(c, 'mailing')} = %s"
    )
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [mailing_id])


# The stage each kind of hit brings a delivery's summary to.
STAGE_OF: dict[str, Stage] = {
    HitKind.OPEN: Stage.OPENED,
    HitKind.CLICK: Stage.CLICKED,
    HitKind.SUBMIT: Stage.SUBMITTED,
}


def summary_change(event: SimulationEvent) -> dict[str, Any]:
    """What one new event changes in its delivery's summary (`tracking_sql.advance`'s
    arguments): the same figures as `result_refresh` gives, without reading the
    delivery's events again."""
    if event.verdict == Verdict.AUTOMATED:
        return {"automated": True}
    kind = event.kind
    return {
        "uncertain": event.verdict == Verdict.UNCERTAIN,
        "confirmed": event.verdict != Verdict.UNCERTAIN and kind in (HitKind.CLICK, HitKind.SUBMIT),
        "stage": STAGE_OF.get(kind),
        "clicked_at": event.at if kind in (HitKind.CLICK, HitKind.SUBMIT) else None,
        "submitted_at": event.at if kind == HitKind.SUBMIT else None,
        "reported_at": event.at if kind == HitKind.REPORT else None,
    }
