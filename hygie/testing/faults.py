"""Real processes against a private PostgreSQL server and a recording SMTP server, for
the fault-injection tests (hygie/operations/tests/test_faults.py) and the faults
benchmark (bench/bench_faults.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.testing.postgres import PrivatePostgres
from hygie.testing.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]

# A campaign of `count` people, due now, sent at any hour (run with `manage.py shell -c`).
SETUP = """
from datetime import time as t, timedelta
from django.utils import timezone
from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation
from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, Mailing, SendingProfile, Variant
from hygie.delivery.services import mailing_launch
org = Organisation.objects.create(name="Union", slug="union")
SendingProfile.objects.create(organisation=org, rate_per_minute=1_000_000)
Person.objects.bulk_create(
    Person(organisation=org, email=f"dr{{n}}@example.org", first_name="Élise", last_name=f"N{{n}}")
    for n in range({count})
)
segment = Segment.objects.create(organisation=org, name="Tous")
m = Mailing.objects.create(organisation=org, name="M", segment=segment,
    from_email="securite@urps.example", window_days=list(range(7)),
    window_start=t(0, 0), window_end=t(23, 59, 59))
Variant.objects.create(
    mailing=m, subject="Bonjour {{{{ prenom }}}}", text_body="Lien {{{{ lien }}}}"
)
mailing_launch(mailing=m, actor=Actor.system(org))
Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
print(Delivery.objects.count())
"""


TEMPLATE = "hygie_template"


def base_env(database_url: str, var: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "test-only-" + "k" * 40,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "HYGIE_VAR_DIR": str(var),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "HYGIE_DELIVERY_LEASE_SECONDS": "5",
            "HYGIE_DELIVERY_BATCH_SIZE": "50",
            "HYGIE_WORKER_IDLE_SECONDS": "1",
            "HYGIE_HEARTBEAT_SECONDS": "1",
            "HYGIE_SCHEDULER_TICK_SECONDS": "1",
            "HYGIE_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@dataclass
class Platform:
    """One test's database, relay and processes."""

    pg: PrivatePostgres
    database: str
    var: Path
    smtp: SmtpServer
    processes: list[tuple[str, subprocess.Popen[str], Path]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.pg.url(self.database), self.var, self.smtp.port, **extra)

    def start(self, command: str, *args: str, **extra: str) -> subprocess.Popen[str]:
        """`manage.py command`, or with `args` any program (the tracking server)."""
        argv = [command, *args] if args else [sys.executable, "manage.py", command]
        command = Path(command).name
        log = self.var / f"{command}-{len(self.processes)}.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(  # noqa: S603 - our own programs
                argv,
                cwd=ROOT,
                env=self.env(**extra),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
                # A group of its own, so that `kill_all` reaches its children too (the
                # tracking server's worker would otherwise outlive a killed master).
                start_new_session=True,
            )
        self.processes.append((command, process, log))
        return process

    def campaign(self, count: int) -> None:
        manage(self.env(), "shell", "-c", SETUP.format(count=count))

    def simulation(self, count: int) -> tuple[str, list[str]]:
        """A simulation already sent: its path prefix and its tokens."""
        lines = manage(self.env(), "shell", "-c", SIMULATION_SETUP.format(count=count)).split()
        return lines[-count - 1], lines[-count:]

    def tracking_server(self, port: int) -> subprocess.Popen[str]:
        granian = str(Path(sys.executable).with_name("granian"))
        return self.start(
            granian,
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--blocking-threads",
            "4",
            "hygie.wsgi:application",
        )

    def received(self) -> Counter[str]:
        with self.smtp.handler.lock:
            return Counter(r for m in self.smtp.messages for r in m.recipients)

    def rows(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.pg.url(self.database)) as connection:
            return list(connection.execute(query, params or None))  # type: ignore[arg-type]

    def statuses(self) -> dict[str, int]:
        return dict(self.rows("SELECT status, count(*) FROM delivery_delivery GROUP BY status"))  # type: ignore[arg-type]

    def restart_relay(self) -> None:
        self.smtp.restart()

    def stop_all(self) -> dict[str, list[int | None]]:
        """SIGTERM every process still running; returns the exit codes by command and
        which had exited on their own before (there must be none)."""
        exited_early = [c for c, p, _ in self.processes if p.poll() is not None]
        for _, process, _ in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, list[int | None]] = {}
        for command, process, _ in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                _kill_group(process)
            codes.setdefault(command, []).append(process.returncode)
        if exited_early:
            raise RuntimeError(f"{exited_early} exited on their own:\n{self.logs()}")
        return codes

    def kill_all(self) -> None:
        """Kill every process this platform started and has not reaped yet, with the
        processes they started."""
        for _, process, _ in self.processes:
            _kill_group(process)

    def logs(self) -> str:
        return "\n".join(f"--- {c}\n{log.read_text()[-2000:]}" for c, _, log in self.processes)


def _kill_group(process: subprocess.Popen[str]) -> None:
    # The group outlives its leader while a child remains: killed even after the leader
    # exited, as long as it was not reaped. Once reaped, its number is free and may
    # already be another process's group (this machine reuses numbers within a run).
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


# A simulation of `count` people, sent half an hour ago (nothing goes through the
# relay); prints the path prefix, then one token per line.
SIMULATION_SETUP = """
from datetime import date, timedelta
from django.utils import timezone
from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Person, Segment
from hygie.delivery.models import Delivery, DeliveryStatus, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement
from hygie.phishing.services import campaign_create, campaign_launch
scenarios_sync()
org = Organisation.objects.create(name="Union", slug="union")
SendingProfile.objects.create(organisation=org, simulation_domain="espace-pro.example")
Person.objects.bulk_create(
    Person(organisation=org, email=f"dr{{n}}@example.org", first_name="Élise", last_name=f"N{{n}}")
    for n in range({count})
)
segment = Segment.objects.create(organisation=org, name="Tous")
staff = User.objects.create_user("staff@union.example")
campaign = campaign_create(organisation=org, actor=Actor.staff(staff), name="Printemps",
    scenarios=[Scenario.objects.get(slug="espace-pro-sante-avis-paiement")], segment=segment)
SimulationAnnouncement.objects.create(organisation=org, announced_on=date(2026, 1, 5),
    channel="email")
campaign_launch(campaign=campaign, actor=Actor.system(org))
Delivery.objects.update(status=DeliveryStatus.SENT,
    sent_at=timezone.now() - timedelta(minutes=30))
print(campaign.path_prefix)
for token in Delivery.objects.values_list("token", flat=True):
    print(token)
"""
