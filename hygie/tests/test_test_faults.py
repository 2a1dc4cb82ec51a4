"""The fault tests' platform (hygie/testing/faults.py) leaves no process behind."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hygie.testing.faults import Platform


@dataclass
class Unused:
    """A server the processes below never reach."""

    port: int = 9

    def url(self, database: str) -> str:
        return f"postgresql://nobody@127.0.0.1:{self.port}/{database}"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent's wait is missing


def test_killing_the_platform_kills_what_its_processes_started(tmp_path):
    platform = Platform(Unused(), "nothing", tmp_path, Unused())  # type: ignore[arg-type]
    child_pid = tmp_path / "child.pid"
    # Like the tracking server: a master that starts a worker, which a SIGKILL of the
    # master alone would leave running.
    platform.start("/bin/sh", "-c", f"sleep 300 & echo $! > {child_pid}; wait")
    deadline = time.monotonic() + 10
    while not child_pid.exists() or not child_pid.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child = int(child_pid.read_text())
    assert alive(child)
    platform.kill_all()
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(child)
    assert all(process.poll() is not None for _, process, _ in platform.processes)


def test_killing_after_the_master_exited_still_reaches_its_worker(tmp_path):
    platform = Platform(Unused(), "nothing", tmp_path, Unused())  # type: ignore[arg-type]
    child_pid = tmp_path / "child.pid"
    master = platform.start("/bin/sh", "-c", f"sleep 300 & echo $! > {child_pid}")
    master.wait(timeout=10)  # the master is gone, its worker remains in its group
    child = int(child_pid.read_text())
    assert alive(child)
    platform.kill_all()
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(child)
