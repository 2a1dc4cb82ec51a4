"""Child of bench_detector: generate labelled hits, classify them, print one JSON line.

The traffic follows what the tracking pages see: each GET of a tracked link serves a
page carrying the page-side check, which sends a beacon after a real interaction.
Most people interact within seconds; a few have JavaScript off or close the page at
once (no beacon). Robots do not interact, except a few sandboxes that fake pointer
movements. Part of the gateway traffic comes from an address range listed as a
scanner network.
"""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
]
SCANNERS = [
    "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "Mimecast URL Protect",
    "Barracuda Sentinel (EE)",
    "Microsoft SafeLinks",
    "python-requests/2.32",
    "curl/8.5.0",
]
FR = "fr-FR,fr;q=0.9,en;q=0.6"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from hygie.accounts.models import Organisation
    from hygie.audience.models import Person, Segment
    from hygie.delivery.models import Delivery, Mailing, Variant
    from hygie.lib.robots import automated_reason
    from hygie.phishing.models import HitKind, ScannerNetwork, Verdict
    from hygie.phishing.services import confirm_presence, record_hit

    rng = random.Random(11)
    factory = RequestFactory()
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    mailing = Mailing.objects.create(
        organisation=organisation, name="S", kind="simulation", segment=segment
    )
    variant = Variant.objects.create(mailing=mailing, subject="s", text_body="{{ lien }}")
    sent_at = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    people = Person.objects.bulk_create(
        Person(organisation=organisation, email=f"p{n}@example.org") for n in range(1500)
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            mailing=mailing,
            organisation=organisation,
            person=p,
            variant=variant,
            recipient=p.email or "",
            scheduled_at=sent_at,
            next_attempt_at=sent_at,
            status="sent",
            sent_at=sent_at,
        )
        for p in people
    )
    ScannerNetwork.objects.create(
        organisation=organisation, cidr="198.18.0.0/15", label="mail gateway"
    )
    # (moment, delivery, label, address, headers, hidden, method); method "BEACON" is the
    # page-side confirmation of a page served just before.
    hits = []

    def beacon(moment: datetime, delivery: object, label: str, address: str, headers: dict) -> None:
        hits.append(
            (
                moment + timedelta(seconds=rng.uniform(1, 90)),
                delivery,
                label,
                address,
                headers,
                False,
                "BEACON",
            )
        )

    def ip() -> str:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    pool = iter(deliveries)
    # People: 700, some practices sharing one address, clicking minutes to days later.
    for _ in range(250):
        address = ip()
        for _colleague in range(rng.choice((1, 1, 1, 2, 3))):
            delay = timedelta(seconds=rng.uniform(90, 3 * 86400))
            headers = {"HTTP_USER_AGENT": rng.choice(BROWSERS)}
            if rng.random() < 0.97:
                headers["HTTP_ACCEPT_LANGUAGE"] = FR
            delivery = next(pool)
            hits.append((sent_at + delay, delivery, "human", address, headers, False, "GET"))
            # Some people have JavaScript off or close the page at once: no beacon.
            if rng.random() < 0.94:
                beacon(sent_at + delay, delivery, "human", address, headers)
    # Robots.
    for _ in range(120):  # known scanners, seconds after delivery
        hits.append(
            (
                sent_at + timedelta(seconds=rng.uniform(1, 15)),
                next(pool),
                "robot",
                ip(),
                {"HTTP_USER_AGENT": rng.choice(SCANNERS)},
                False,
                "GET",
            )
        )
    for _ in range(80):  # gateways with a browser's user agent, seconds after delivery
        hits.append(
            (
                sent_at + timedelta(seconds=rng.uniform(2, 18)),
                next(pool),
                "robot",
                ip(),
                {"HTTP_USER_AGENT": rng.choice(BROWSERS)},
                False,
                "GET",
            )
        )
    for _ in range(40):  # HEAD checks
        hits.append(
            (
                sent_at + timedelta(minutes=rng.uniform(1, 60)),
                next(pool),
                "robot",
                ip(),
                {"HTTP_USER_AGENT": rng.choice(BROWSERS), "HTTP_ACCEPT_LANGUAGE": FR},
                False,
                "HEAD",
            )
        )
    for _ in range(40):  # prefetch
        hits.append(
            (
                sent_at + timedelta(minutes=rng.uniform(1, 600)),
                next(pool),
                "robot",
                ip(),
                {
                    "HTTP_USER_AGENT": rng.choice(BROWSERS),
                    "HTTP_ACCEPT_LANGUAGE": FR,
                    "HTTP_SEC_PURPOSE": "prefetch",
                },
                False,
                "GET",
            )
        )
    for _ in range(60):  # sandboxes that follow every link, the hidden one included
        moment = sent_at + timedelta(minutes=rng.uniform(1, 30))
        delivery = next(pool)
        headers = {"HTTP_USER_AGENT": rng.choice(BROWSERS), "HTTP_ACCEPT_LANGUAGE": FR}
        hits.append((moment, delivery, "robot", ip(), headers, False, "GET"))
        hits.append((moment + timedelta(seconds=1), delivery, "robot", ip(), headers, True, "GET"))
    for _ in range(6):  # crawlers: one address, many recipients, within a minute
        address = ip()
        start = sent_at + timedelta(minutes=rng.uniform(5, 300))
        for index in range(10):
            hits.append(
                (
                    start + timedelta(seconds=6 * index),
                    next(pool),
                    "robot",
                    address,
                    {"HTTP_USER_AGENT": rng.choice(BROWSERS), "HTTP_ACCEPT_LANGUAGE": FR},
                    False,
                    "GET",
                )
            )
    for index in range(15):  # stealthy sandboxes: look like a person in every way we check
        moment, delivery, address = (
            sent_at + timedelta(minutes=rng.uniform(2, 20)),
            next(pool),
            ip(),
        )
        headers = {"HTTP_USER_AGENT": rng.choice(BROWSERS), "HTTP_ACCEPT_LANGUAGE": FR}
        hits.append((moment, delivery, "robot", address, headers, False, "GET"))
        if index < 2:  # the few that fake pointer movements pass the page-side check
            beacon(moment, delivery, "robot", address, headers)
    for _ in range(40):  # a gateway's range, browser agent, minutes after delivery
        hits.append(
            (
                sent_at + timedelta(minutes=rng.uniform(1, 120)),
                next(pool),
                "robot",
                f"198.18.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                {"HTTP_USER_AGENT": rng.choice(BROWSERS), "HTTP_ACCEPT_LANGUAGE": FR},
                False,
                "GET",
            )
        )

    hits.sort(key=lambda hit: hit[0])
    outcome: dict[str, list[str]] = {"human": [], "robot": []}
    baseline: dict[str, list[str]] = {"human": [], "robot": []}
    labelled: list[tuple[int, str]] = []
    for moment, delivery, label, address, headers, hidden, method in hits:
        if method == "BEACON":
            confirm_presence(
                delivery=delivery,
                request=factory.post("/x/v/", REMOTE_ADDR=address, **headers),
                now=moment,
            )
            continue
        request = (factory.head if method == "HEAD" else factory.get)(
            "/x/", REMOTE_ADDR=address, **headers
        )
        event = record_hit(
            delivery=delivery,
            kind=HitKind.CLICK,
            request=request,
            hidden_link=hidden,
            awaiting_page=method == "GET" and not hidden,
            now=moment,
        )
        labelled.append((event.pk, label))
        baseline[label].append(
            Verdict.AUTOMATED
            if automated_reason(request) and "user agent" in automated_reason(request)
            else Verdict.HUMAN
        )

    # Read the verdicts back: later evidence (a hidden link, a burst) corrects earlier hits.
    from hygie.phishing.detection import AWAITING, CONFIRMED
    from hygie.phishing.models import SimulationEvent

    final = {
        pk: (v, r) for pk, v, r in SimulationEvent.objects.values_list("pk", "verdict", "reasons")
    }
    # The same traffic read as the detector did before the page-side check: a hit
    # only waiting for (or confirmed by) the page would have been called a person.
    before: dict[str, list[str]] = {"human": [], "robot": []}
    for pk, label in labelled:
        verdict, reasons = final[pk]
        outcome[label].append(verdict)
        page_only = set(reasons) <= {AWAITING, CONFIRMED}
        before[label].append(
            Verdict.HUMAN if verdict != Verdict.AUTOMATED and page_only else verdict
        )

    def scores(verdicts: dict[str, list[str]]) -> tuple[float, float]:
        robots_caught = sum(v == Verdict.AUTOMATED for v in verdicts["robot"])
        said_human = [("human", v) for v in verdicts["human"] if v == Verdict.HUMAN] + [
            ("robot", v) for v in verdicts["robot"] if v == Verdict.HUMAN
        ]
        precision = sum(label == "human" for label, _ in said_human) / max(len(said_human), 1)
        return 100 * robots_caught / len(verdicts["robot"]), 100 * precision

    recall, precision = scores(outcome)
    base_recall, base_precision = scores(baseline)
    _before_recall, before_precision = scores(before)
    total = len(outcome["human"]) + len(outcome["robot"])
    print(
        json.dumps(
            {
                "recall": round(recall, 1),
                "precision": round(precision, 1),
                "baseline_recall": round(base_recall, 1),
                "baseline_precision": round(base_precision, 1),
                "precision_without_page_check": round(before_precision, 1),
                "human_kept": round(
                    100 * sum(v == Verdict.HUMAN for v in outcome["human"]) / len(outcome["human"]),
                    1,
                ),
                "uncertain": round(
                    100
                    * sum(v == Verdict.UNCERTAIN for vs in outcome.values() for v in vs)
                    / total,
                    1,
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
