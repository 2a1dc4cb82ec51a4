"""A long-running process loop that stops cleanly on SIGTERM or Ctrl-C and rides out
database outages.

The loop body is a single `step()` that tests call directly; the signal only
sets a flag, so the current step always finishes (a job or a batch is never
cut in half by a polite stop). A lost database (a restart, a failover, a network
cut) is not a reason to exit: the broken connections are closed, the loop waits
a little longer each time (with jitter, so that many processes do not come back
at the same instant) and tries again, until the database answers.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from types import FrameType

from django.db import InterfaceError, OperationalError, close_old_connections, connections

logger = logging.getLogger(__name__)

# What a lost or unreachable database raises (psycopg and sqlite3 alike, as Django
# wraps them). Anything else is a fault of one job, not of the database.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class StopFlag:
    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self.set)
        signal.signal(signal.SIGINT, self.set)


class Backoff:
    """1, 2, 4… seconds up to `most`, each drawn between half and all of it."""

    def __init__(self, *, first: float = 1.0, most: float = 30.0) -> None:
        self.first = first
        self.most = most
        self.failures = 0

    def next_delay(self) -> float:
        self.failures += 1
        base = min(self.first * 2 ** (self.failures - 1), self.most)
        return float(base * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret

    def reset(self) -> None:
        self.failures = 0


def close_connections_quietly() -> None:
    """Close every database connection of this thread; a broken one may raise while
    closing, which must not take the process down."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # closing a dead connection: nothing left to save
            logger.debug("closing a broken database connection failed", exc_info=True)
            connection.connection = None  # let the next query open a fresh one


def run_isolated(name: str, call: Callable[[], int]) -> int:
    """Run one job of a step. Its own failure (a constraint, a bug) is logged and counts
    as that job's, so the other jobs and the process go on; a lost database is the
    loop's business and goes up."""
    try:
        return call()
    except CONNECTION_ERRORS:
        raise
    except Exception:
        logger.exception("job failed", extra={"job": name})
        return 0


def run_forever(
    step: Callable[[], bool],
    *,
    stop: StopFlag,
    idle_seconds: float,
    backoff: Backoff | None = None,
) -> None:
    """Call `step` until stopped; sleep `idle_seconds` whenever it reports no work done,
    and back off while the database is unreachable."""
    backoff = backoff or Backoff()
    while not stop.is_set:
        try:
            close_old_connections()
            did_work = step()
            close_old_connections()
        except CONNECTION_ERRORS as exc:
            close_connections_quietly()
            delay = backoff.next_delay()
            logger.warning(
                "database unavailable, trying again",
                extra={"error": str(exc).strip()[:300], "retry_in_seconds": round(delay, 1)},
            )
            stop.wait(delay)
            continue
        if backoff.failures:
            logger.warning("database available again", extra={"failures": backoff.failures})
            backoff.reset()
        if not did_work:
            stop.wait(idle_seconds)
