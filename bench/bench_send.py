"""Creating and sending a campaign's deliveries.

Figures: time to create the deliveries of a 100,000-person mailing; messages per
second rendered and sent to a local SMTP sink by 1 and by 2 workers, at 1,000 and
at 100,000 messages. Baseline in the same run: plain smtplib sending one
pre-rendered message repeatedly over one connection to the same sink.
"""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import time

from bench.common import ROOT, emit, private_environment, run_child

SIZES = (1_000, 100_000)
CREATE_SIZE = 100_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baseline(port: int, count: int = 5_000) -> float:
    message = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: test\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"Bonjour, ceci est un test.\r\n" * 20
    )
    with smtplib.SMTP("127.0.0.1", port) as connection:
        started = time.perf_counter()
        for _ in range(count):
            connection.sendmail("a@example.org", ["b@example.org"], message)
        return count / (time.perf_counter() - started)


def run() -> None:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None
        sink.stdout.readline()
        reference = baseline(port)
        emit("send", "baseline_smtplib_msgs_per_s", reference, "msg/s")
        for size in SIZES:
            for workers in (1, 2):
                env, directory = private_environment()
                with directory:
                    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
                    result = run_child("bench.send_child", str(size), str(workers), env=env)
                emit(
                    "send",
                    f"messages_per_s_{workers}_worker{'s' if workers > 1 else ''}_{size}",
                    result["rate"],
                    "msg/s",
                    "smtplib pre-rendered, 1 connection",
                    reference,
                )
        env, directory = private_environment()
        with directory:
            result = run_child("bench.send_child", str(CREATE_SIZE), "0", env=env)
        emit("send", "create_100k_deliveries_seconds", result["create_seconds"], "seconds")
    finally:
        sink.kill()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    run()
