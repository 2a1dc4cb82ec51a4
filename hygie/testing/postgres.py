"""A private PostgreSQL server for fault-injection tests: its own data folder and port,
started, stopped and restarted by the test (never the machine's own server).

initdb refuses to run as root; as root the server runs as the `postgres` system user
(through runuser), in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from hygie.testing.smtp import free_port


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hygie-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own binaries and folders
            [*self.as_user, *args], check=True, capture_output=True, timeout=120
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                # A test server: speed over durability.
                "-c fsync=off",
                # Commits stay synchronous: an `immediate` stop is a crash, and a test
                # must not lose a commit the platform was told was done.
                "-c full_page_writes=off",
                "-c max_connections=50",
            ]
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once (a restart); `immediate` is a crash."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def outage(self, seconds: float, mode: str = "immediate") -> None:
        self.stop(mode)
        time.sleep(seconds)
        self.start()

    def restore(self, source_url: str, database: str) -> None:
        """Copy every table and row of the database at `source_url` (another server)
        into `database` here, with this version's pg_dump and psql."""
        dump = subprocess.run(  # noqa: S603 - our own binaries
            [str(self.bin / "pg_dump"), "--no-owner", "--no-acl", "--dbname", source_url],
            check=True,
            capture_output=True,
            timeout=120,
        ).stdout
        subprocess.run(  # noqa: S603 - our own binaries
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "--dbname", self.url(database)],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
