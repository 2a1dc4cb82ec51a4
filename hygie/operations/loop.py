"""A long-running process loop that stops cleanly on SIGTERM or Ctrl-C.

The loop body is a single `step()` that tests call directly; the signal only
sets a flag, so the current step always finishes (a job or a batch is never
cut in half by a polite stop).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from django.db import close_old_connections


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


def run_forever(step: Callable[[], bool], *, stop: StopFlag, idle_seconds: float) -> None:
    """Call `step` until stopped; sleep `idle_seconds` whenever it reports no work done."""
    while not stop.is_set:
        close_old_connections()
        did_work = step()
        close_old_connections()
        if not did_work:
            stop.wait(idle_seconds)
