"""Figures of a page kept between views: live when cheap, refreshed in the background when not.

The results page of a 100,000-person campaign aggregates 100,000 summary rows in
several queries: more than a second on a busy server, at every view. Pages ask for
their figures here instead. Figures that took little time to compute are computed
at each view (always current). Costly ones are kept: a view within their freshness
window reads one row; a later view still gets the kept figures at once (the page
says when they were computed) and queues one background refresh, claimed by a
conditional update so that a hundred views queue one job.

Apps register their computations in COMPUTATIONS from AppConfig.ready() (this
module knows none of them); the arguments must be JSON values (they travel in the
background job). Apps also `prepare` the figures of their running campaigns from a
due-work source, so that a page's first view finds them computed.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hygie.operations.models import Snapshot

logger = logging.getLogger(__name__)

# name -> function(*arguments) returning picklable figures.
COMPUTATIONS: dict[str, Callable[..., Any]] = {}

# Computed at each view when the last computation took less than this.
LIVE_BELOW_SECONDS = 0.25
# Kept figures are fresh for this long, or for FRESH_FACTOR times their cost.
FRESH_FOR = timedelta(minutes=1)
FRESH_FACTOR = 30
# Campaigns launched this recently get their results figures prepared ahead.
PREPARE_FOR = timedelta(days=120)
# A refresh claimed longer ago than this is assumed lost (worker stopped) and claimed again.
REFRESH_LOST_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Figures:
    value: Any
    computed_at: datetime
    live: bool  # computed for this view (False: kept figures, shown with their time)


def key_of(name: str, arguments: tuple[Any, ...]) -> str:
    return ":".join([name, *(str(a) for a in arguments)])


def figures(name: str, *arguments: Any, now: datetime | None = None) -> Figures:
    """The figures `COMPUTATIONS[name](*arguments)`, kept or computed now."""
    now = now or timezone.now()
    key = key_of(name, arguments)
    row = Snapshot.objects.filter(key=key).first()
    kept = _load(row) if row is not None and row.seconds >= LIVE_BELOW_SECONDS else None
    if row is None or kept is None:
        value, _row = compute(name, *arguments)
        return Figures(value, timezone.now(), True)
    if row.computed_at < now - freshness(row.seconds):
        _refresh_later(row, name, arguments, now)
    return Figures(kept[0], row.computed_at, False)


def prepare(name: str, wanted: list[tuple[Any, ...]], now: datetime | None = None) -> int:
    """Queue the first computation of the figures in `wanted` (argument tuples) that
    nobody asked for yet, so that even a page's first view reads kept figures. A
    placeholder row (empty payload: a view computes live until the job has run) marks
    each as queued, so the next call queues nothing again. Returns how many."""
    now = now or timezone.now()
    keys = {key_of(name, arguments): arguments for arguments in wanted}
    known = set(Snapshot.objects.filter(key__in=keys).values_list("key", flat=True))
    queued = 0
    for key, arguments in keys.items():
        if key in known:
            continue
        _row, created = Snapshot.objects.get_or_create(
            key=key, defaults={"payload": b"", "computed_at": now, "refreshing_since": now}
        )
        if created:
            _enqueue(name, arguments)
            queued += 1
    return queued


def _enqueue(name: str, arguments: tuple[Any, ...]) -> None:
    from hygie.operations.tasks import refresh_snapshot

    transaction.on_commit(lambda: refresh_snapshot.enqueue(name, list(arguments)))


def freshness(seconds: float) -> timedelta:
    return max(FRESH_FOR, timedelta(seconds=FRESH_FACTOR * seconds))


def compute(name: str, *arguments: Any) -> tuple[Any, Snapshot]:
    """Compute and keep the figures (the background job and a first view call this)."""
    started = time.monotonic()
    computed_at = timezone.now()
    value = COMPUTATIONS[name](*arguments)
    seconds = time.monotonic() - started
    payload = pickle.dumps((value,), protocol=pickle.HIGHEST_PROTOCOL)
    fields = {
        "payload": payload,
        "computed_at": computed_at,
        "seconds": seconds,
        "refreshing_since": None,
    }
    key = key_of(name, arguments)
    try:
        with transaction.atomic():
            row, _created = Snapshot.objects.update_or_create(key=key, defaults=fields)
    except IntegrityError:  # two first views at once: the other one's row is as good
        row = Snapshot.objects.get(key=key)
    return value, row


def _load(row: Snapshot) -> tuple[Any] | None:
    try:
        loaded = pickle.loads(bytes(row.payload))  # noqa: S301 - written by compute() only
    except Exception:  # figures of an older version: compute them again
        logger.info("snapshot %s no longer loads; computing it again", row.key)
        return None
    return loaded if isinstance(loaded, tuple) and len(loaded) == 1 else None


def _refresh_later(row: Snapshot, name: str, arguments: tuple[Any, ...], now: datetime) -> None:
    claimed = (
        Snapshot.objects.filter(pk=row.pk)
        .filter(Q(refreshing_since__isnull=True) | Q(refreshing_since__lt=now - REFRESH_LOST_AFTER))
        .update(refreshing_since=now)
    )
    if claimed:
        _enqueue(name, arguments)
