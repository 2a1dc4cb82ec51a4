"""Child of bench_tracking: generate the campaigns, serve the app with granian, load the
tracking endpoints from concurrent clients, check what was recorded, print one JSON line.

One organisation of 100,000 people (opens tracked per person, so that every open is an
event). A first simulation campaign goes to 10,000 of them and is measured; then a
second one goes to all 100,000 and is measured the same way. Each campaign has two
scenarios (a credential form, whose click shows the landing page, and a plain link,
whose click shows the explanation), split between the deliveries as in production.

Each hit is a different person on a different delivery: a new connection from its own
loopback address (127.x.y.z), a browser's user agent and a French Accept-Language.
The baseline (a bare view inserting one row, see bench/tracking_urls.py) is measured
half before and half after the tracking hits, with the same clients.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import random
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.analytics_child import Inserter, active_people, sent_deliveries
from bench.detector_child import BROWSERS, FR

HOST = "suivi.bench.test"
PEOPLE = 100_000
SIZES = (10_000, 100_000)
CLIENTS = 48
HITS = 2_000  # per kind and campaign
WARM_UP = 100  # per kind and campaign, not timed (first templates, connections)
SCENARIOS = ("alerte-connexion-inhabituelle", "doctoplanning-nouvel-avis")
ROOT = Path(__file__).resolve().parent.parent

Hit = tuple[str, dict[str, str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(port: int) -> list[str]:
    """The web process of the Procfile, on another port."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    command = shlex.split(line.removeprefix("web:"))
    command[0] = str(Path(sys.executable).parent / "granian")
    command[command.index("--port") + 1] = str(port)
    return command


class Clients:
    """Concurrent clients; each hit on a new connection from an address of its own."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.addresses = 0

    def _address(self) -> str:
        n = self.addresses
        self.addresses += 1
        return f"127.{1 + n // 64_516}.{n // 254 % 254 + 1}.{n % 254 + 1}"

    def get(self, path: str, headers: dict[str, str], address: str) -> int:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(address, 0)
        )
        try:
            connection.request("GET", path, headers={"Host": HOST, **headers})
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return -1
        finally:
            connection.close()

    def run(self, hits: list[Hit]) -> tuple[float, list[int]]:
        """Send every hit with CLIENTS at a time; the seconds taken and each status."""
        addresses = [self._address() for _ in hits]
        statuses = [0] * len(hits)
        counter = itertools.count()
        start = threading.Barrier(CLIENTS + 1)

        def client() -> None:
            start.wait()
            for index in iter(counter.__next__, None):
                if index >= len(hits):
                    return
                path, headers = hits[index]
                statuses[index] = self.get(path, headers, addresses[index])

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started, statuses


def wait_until_up(server: subprocess.Popen[bytes], clients: Clients, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        if clients.get("/healthz", {}, "127.0.0.1") == 200:
            return
        time.sleep(0.2)
    sys.stderr.write(log.read_text()[-4000:])
    raise SystemExit("the granian server did not answer")


def generate_people(organisation: Any, count: int, now: dt.datetime) -> list[tuple[int, str]]:
    from django.db import transaction

    from hygie.audience.models import Person

    with transaction.atomic():
        active_people(
            ("pseudonym", "email", "last_name"),
            now,
            organisation_id=organisation.pk,
            departement="33",
            specialty="Médecine générale",
            profession="doctor",
        ).insert(
            (f"t{organisation.pk}x{n:07d}", f"dr{n}@bench.example", f"Nom{n % 5000}")
            for n in range(count)
        )
    return list(
        Person.objects.filter(organisation=organisation).order_by("pk").values_list("pk", "email")
    )


def generate_campaign(
    organisation: Any,
    scenarios: list[Any],
    people: list[tuple[int, str]],
    sent_at: dt.datetime,
) -> Any:
    """A sent simulation campaign to these people, the scenarios' variants in turn."""
    from django.conf import settings
    from django.db import transaction

    from hygie.delivery.models import Mailing, MailingKind, Variant, new_token
    from hygie.phishing.models import SimulationCampaign, SimulationResult, Stage
    from hygie.phishing.variants import variant_fields, variant_key

    size = len(people)
    prefix = f"espace{size}o{organisation.pk}"  # one per campaign, as the service ensures
    with transaction.atomic():
        mailing = Mailing.objects.create(
            organisation=organisation,
            name=f"Simulation {size}",
            kind=MailingKind.SIMULATION,
            status="completed",
            unsubscribe_link=False,
            link_template=f"{settings.TRACKING_BASE_URL}/{prefix}/{{token}}/",
            launched_at=sent_at,
            completed_at=sent_at,
        )
        variants = [
            Variant.objects.create(
                mailing=mailing,
                key=variant_key(scenario),
                **variant_fields(scenario, domain="bench.example", report_address=""),
            ).pk
            for scenario in scenarios
        ]
        campaign = SimulationCampaign.objects.create(
            organisation=organisation,
            name=mailing.name,
            mailing=mailing,
            path_prefix=prefix,
            created_at=sent_at,
        )
        campaign.scenarios.set(scenarios)
        sent_deliveries(
            ("person_id", "recipient", "variant_id", "token"),
            sent_at,
            mailing_id=mailing.pk,
            organisation_id=organisation.pk,
        ).insert(
            (pk, email, variants[n % len(variants)], new_token())
            for n, (pk, email) in enumerate(people)
        )
        Inserter(
            SimulationResult,
            ("delivery_id",),
            campaign_id=campaign.pk,
            stage=Stage.SENT,
            clicked_at=None,
            submitted_at=None,
            reported_at=None,
            automated_hits=0,
            uncertain_hits=0,
            confirmed=False,
        ).insert((pk,) for pk in mailing.deliveries.values_list("pk", flat=True))
    return campaign


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import tracking_urls
    from hygie.accounts.models import Organisation
    from hygie.delivery.models import new_token
    from hygie.library.content import capsules_sync
    from hygie.phishing.content.scenarios import scenarios_sync
    from hygie.phishing.models import Scenario, SimulationEvent, SimulationResult, Stage

    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    sent_at = now - dt.timedelta(days=1)
    tracking_urls.create_table()
    capsules_sync()
    scenarios_sync()
    scenarios = [
        Scenario.objects.filter(slug=slug, language="fr").latest("version") for slug in SCENARIOS
    ]
    organisation = Organisation.objects.create(
        name="Bench", slug=f"bench-{os.getpid()}", track_individual_opens=True
    )

    def headers(index: int, accept: str) -> dict[str, str]:
        return {
            "User-Agent": BROWSERS[index % len(BROWSERS)],
            "Accept": accept,
            "Accept-Language": FR,
            "Accept-Encoding": "gzip, deflate, br",
        }

    page = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    image = "image/avif,image/webp,image/png,image/*;q=0.8,*/*;q=0.5"

    def opens(prefix: str, tokens: list[str]) -> list[Hit]:
        return [(f"/{prefix}/{t}/p.gif", headers(n, image)) for n, t in enumerate(tokens)]

    def clicks(prefix: str, tokens: list[str]) -> list[Hit]:
        return [(f"/{prefix}/{t}/", headers(n, page)) for n, t in enumerate(tokens)]

    def bare(tokens: list[str]) -> list[Hit]:
        return [(f"/bench.insert/{t}/", headers(n, image)) for n, t in enumerate(tokens)]

    figures: dict[str, Any] = {"errors": []}
    errors: list[str] = figures["errors"]
    generate_started = time.perf_counter()
    if connection.vendor == "sqlite":
        # Loading only: one fsync per statement would make the disk the bench.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    people = generate_people(organisation, PEOPLE, now)
    figures["generate_s"] = time.perf_counter() - generate_started

    port = free_port()
    log = Path(settings.VAR_DIR) / "granian.log"
    server_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.tracking_settings"}
    with log.open("wb") as output:
        server = subprocess.Popen(
            server_command(port), cwd=ROOT, env=server_env, stdout=output, stderr=output
        )
    clients = Clients(port)
    baseline_sent = 0
    try:
        wait_until_up(server, clients, log)
        for size in SIZES:
            started = time.perf_counter()
            campaign = generate_campaign(organisation, scenarios, people[:size], sent_at)
            figures["generate_s"] += time.perf_counter() - started
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            prefix = campaign.path_prefix
            deliveries = list(campaign.mailing.deliveries.values_list("pk", "token"))
            rng.shuffle(deliveries)
            chosen = iter(deliveries)
            open_set = list(itertools.islice(chosen, WARM_UP + HITS))
            click_set = list(itertools.islice(chosen, WARM_UP + HITS))
            open_tokens = [t for _, t in open_set]
            click_tokens = [t for _, t in click_set]
            spare = [new_token() for _ in range(WARM_UP + HITS)]
            statuses: dict[str, list[int]] = {}
            # Warm-up, not timed: first templates, first database connections.
            for kind, hits in (
                ("bare", bare(spare[:WARM_UP])),
                ("opens", opens(prefix, open_tokens[:WARM_UP])),
                ("clicks", clicks(prefix, click_tokens[:WARM_UP])),
            ):
                statuses[kind] = clients.run(hits)[1]
            half = HITS // 2
            first, bare_first = clients.run(bare(spare[WARM_UP : WARM_UP + half]))
            open_seconds, open_statuses = clients.run(opens(prefix, open_tokens[WARM_UP:]))
            click_seconds, click_statuses = clients.run(clicks(prefix, click_tokens[WARM_UP:]))
            second, bare_second = clients.run(bare(spare[WARM_UP + half :]))
            statuses["bare"] += bare_first + bare_second
            statuses["opens"] += open_statuses
            statuses["clicks"] += click_statuses
            label = f"{size // 1000}k"
            figures[f"bare_{label}"] = sum(s == 200 for s in bare_first + bare_second) / (
                first + second
            )
            figures[f"opens_{label}"] = sum(s == 200 for s in open_statuses) / open_seconds
            figures[f"clicks_{label}"] = sum(s == 200 for s in click_statuses) / click_seconds

            # Every answered hit recorded exactly once, nothing else recorded.
            for kind, codes in statuses.items():
                failed = Counter(s for s in codes if s != 200)
                if failed:
                    errors.append(f"{label} {kind}: answers other than 200: {dict(failed)}")
            answered = {
                (pk, "open")
                for (pk, _), s in zip(open_set, statuses["opens"], strict=True)
                if s == 200
            } | {
                (pk, "click")
                for (pk, _), s in zip(click_set, statuses["clicks"], strict=True)
                if s == 200
            }
            recorded = Counter(
                SimulationEvent.objects.filter(delivery__mailing=campaign.mailing).values_list(
                    "delivery_id", "kind"
                )
            )
            twice = sum(1 for n in recorded.values() if n > 1)
            missing = len(answered - set(recorded))
            unexpected = len(set(recorded) - answered)
            if twice or missing or unexpected:
                errors.append(
                    f"{label}: {len(answered)} hits answered, {sum(recorded.values())} recorded"
                    f" ({missing} missing, {twice} recorded more than once,"
                    f" {unexpected} never sent)"
                )
            stages = Counter(
                SimulationResult.objects.filter(campaign=campaign).values_list("stage", flat=True)
            )
            opened = sum(1 for _, kind in answered if kind == "open")
            if stages[Stage.OPENED] != opened or stages[Stage.CLICKED] != len(answered) - opened:
                errors.append(f"{label}: result summaries do not match the hits: {dict(stages)}")
            baseline_sent += sum(s == 200 for s in statuses["bare"])
            if tracking_urls.count_rows() != baseline_sent:
                errors.append(f"{label}: the bare view's rows do not match its answers")
            figures[f"sent_{label}"] = len(answered)
            figures[f"recorded_{label}"] = sum(recorded.values())
        # The organisations' default: opens counted per campaign, not per person (one
        # counter row that every open updates). Measured on a 10,000-delivery campaign.
        anonymous = Organisation.objects.create(
            name="Bench anonymous", slug=f"bench-anon-{os.getpid()}", track_individual_opens=False
        )
        started = time.perf_counter()
        campaign = generate_campaign(anonymous, scenarios, people[: SIZES[0]], sent_at)
        figures["generate_s"] += time.perf_counter() - started
        tokens = list(campaign.mailing.deliveries.values_list("token", flat=True))
        rng.shuffle(tokens)
        # A desktop browser for every open, so that each one counts: the per-campaign
        # counter keeps no event to compare with, only the number of people's opens.
        desktop = [(f"/{campaign.path_prefix}/{t}/p.gif", headers(0, image)) for t in tokens]
        clients.run(desktop[:WARM_UP])
        seconds, codes = clients.run(desktop[WARM_UP : WARM_UP + HITS])
        figures["anonymous_opens_10k"] = sum(s == 200 for s in codes) / seconds
        counted = type(campaign).objects.get(pk=campaign.pk).anonymous_opens
        answered = sum(s == 200 for s in codes) + WARM_UP
        if counted != answered:
            errors.append(f"anonymous opens: {answered} answered, {counted} counted")
        if SimulationEvent.objects.filter(delivery__mailing=campaign.mailing).exists():
            errors.append("anonymous opens: events were recorded per person")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    if connection.vendor == "postgresql":
        tracking_urls.drop_table()
        call_command("flush", interactive=False, verbosity=0)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
