"""The fault tests' platform (hygie/testing/faults.py) leaves no process behind."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hygie.testing.faults import Platform, wait_for


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


def worker_of(platform: Platform, tmp_path: Path, after: str) -> int:
    """Start a master that starts a worker (as the tracking server does) and then runs
    `after`; the worker's process id."""
    child_pid = tmp_path / "child.pid"
    platform.start(
        "/bin/sh",
        "-c",
        f"sleep 300 & echo $! > {child_pid}.tmp; mv {child_pid}.tmp {child_pid}; {after}",
    )
    assert wait_for(child_pid.exists, 10)
    child = int(child_pid.read_text())
    assert alive(child)
    return child


def test_killing_the_platform_kills_what_its_processes_started(tmp_path):
    platform = Platform(Unused(), "nothing", tmp_path, Unused())  # type: ignore[arg-type]
    # A SIGKILL of the master alone would leave its worker running.
    child = worker_of(platform, tmp_path, "wait")
    platform.kill_all()
    assert wait_for(lambda: not alive(child), 10)
    assert all(process.poll() is not None for _, process, _ in platform.processes)


def test_killing_after_the_master_exited_still_reaches_its_worker(tmp_path):
    platform = Platform(Unused(), "nothing", tmp_path, Unused())  # type: ignore[arg-type]
    child = worker_of(platform, tmp_path, "exit 0")
    master = platform.processes[0][1]
    # The master is gone (not yet reaped, so its number stays its own); its worker remains.
    os.waitid(os.P_PID, master.pid, os.WEXITED | os.WNOWAIT)
    assert alive(child)
    platform.kill_all()
    assert wait_for(lambda: not alive(child), 10)
    assert master.returncode == 0


def test_a_reaped_process_group_is_left_alone(tmp_path, monkeypatch):
    platform = Platform(Unused(), "nothing", tmp_path, Unused())  # type: ignore[arg-type]
    master = platform.start("/bin/sh", "-c", "exit 0")
    master.wait(timeout=10)  # reaped: its number may now be anyone's
    killed: list[int] = []
    monkeypatch.setattr(os, "killpg", lambda group, _signal: killed.append(group))
    platform.kill_all()
    assert killed == []
