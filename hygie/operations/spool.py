"""A local append-only spool: what a process could not write to the database while it
was unreachable, replayed exactly once when it is back.

Each process appends JSON lines to its own file under VAR_DIR/spool/<name>/. A
replayer claims a file by renaming it (so appends go to a fresh file), waits for
any append in progress (file lock), then replays each record inside a transaction
that also inserts the record's key into SpoolReplay: a record is never counted
twice, whoever replays it and however often. A file is deleted once every record
in it went through; if the database goes away again half-way, the file is put back
for the next replay.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hygie.operations.loop import CONNECTION_ERRORS
from hygie.operations.models import SpoolReplay

logger = logging.getLogger(__name__)

# A file claimed by a replayer that died is taken over after this long.
STALE_CLAIM_SECONDS = 300
# Keys of replayed records are kept this long: far longer than any file waits.
KEYS_KEPT = timedelta(days=7)


class Spool:
    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def directory(self) -> Path:
        return Path(settings.VAR_DIR) / "spool" / self.name

    def _own_file(self) -> Path:
        return self.directory / f"{os.getpid()}.jsonl"

    def append(self, record: dict[str, Any]) -> str:
        """Keep `record` (JSON-serialisable) for a later replay; returns its key."""
        key = uuid.uuid4().hex
        line = json.dumps({"key": key, **record}, separators=(",", ":")) + "\n"
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._own_file()
        while True:
            with open(path, "a", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    # A replayer may have renamed the file between our open and our
                    # lock: then this line belongs in a fresh file.
                    if os.path.exists(path) and os.path.samestat(
                        os.fstat(handle.fileno()), os.stat(path)
                    ):
                        handle.write(line)
                        handle.flush()
                        os.fsync(handle.fileno())
                        return key
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def pending(self) -> bool:
        try:
            return any(self.directory.iterdir())
        except FileNotFoundError:
            return False

    def _claim(self) -> list[Path]:
        claimed = []
        now = time.time()
        try:
            candidates = sorted(self.directory.iterdir())
        except FileNotFoundError:
            return []
        for path in candidates:
            if path.suffix == ".claimed" and now - path.stat().st_mtime < STALE_CLAIM_SECONDS:
                continue  # another replayer is on it
            target = path.with_name(f"{uuid.uuid4().hex}.claimed")
            try:
                os.rename(path, target)
            except FileNotFoundError:
                continue  # claimed by someone else just now
            claimed.append(target)
        return claimed

    def replay(self, record_one: Callable[[dict[str, Any]], None]) -> int:
        """Replay every spooled record with `record_one` (which writes it to the
        database); returns how many were recorded now. A lost database stops the
        replay and goes up, the rest waiting for the next one."""
        done = 0
        claimed = self._claim()
        for index, path in enumerate(claimed):
            try:
                done += self._replay_file(path, record_one)
            except CONNECTION_ERRORS:
                for left in claimed[index:]:
                    os.rename(left, left.with_name(f"{uuid.uuid4().hex}.jsonl"))
                raise
            path.unlink()
        if claimed:
            SpoolReplay.objects.filter(replayed_at__lt=timezone.now() - KEYS_KEPT).delete()
            logger.info("spool replayed", extra={"spool": self.name, "records": done})
        return done

    def _replay_file(self, path: Path, record_one: Callable[[dict[str, Any]], None]) -> int:
        done = 0
        with open(path, encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # an append that began before the rename
            lines = handle.read().splitlines()
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                logger.warning("unreadable spool line skipped", extra={"spool": self.name})
                continue  # a line cut short by a crash while appending
            try:
                with transaction.atomic():
                    if not _first_time(record["key"]):
                        continue  # replayed before (another replayer, or a crash after it)
                    record_one(record)
            except CONNECTION_ERRORS:
                raise
            except Exception:
                # Its own fault (a bug, data that changed meanwhile): said, and not
                # tried forever.
                logger.exception("spooled record could not be replayed", extra={"spool": self.name})
                continue
            done += 1
        return done


def _first_time(key: str) -> bool:
    try:
        with transaction.atomic():
            SpoolReplay.objects.create(key=key)
    except IntegrityError:
        return False
    return True
