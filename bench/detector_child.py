"""Child of bench_detector: replay the labelled corpus through the real detector.

Every hit of bench/data/detector_corpus.jsonl.gz (see bench/detector_corpus.py for
how each family is built) goes in time order through the same services as the
tracking views: `delivery_record_hit` for clicks, the hidden link, form submissions and
reports, `delivery_confirm_presence` for the page's beacon, `delivery_record_open` for the open
image. The organisation has DEFAULT settings: no scanner range typed by staff, the
shipped scanner knowledge only. Verdicts are read back at the end, since later
evidence (a hidden link, a burst, a page's beacon) corrects earlier hits.
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

LINK_KINDS = ("click", "hidden", "submit", "report")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from bench.detector_corpus import read
    from hygie.accounts.models import Organisation
    from hygie.audience.models import Person, Segment
    from hygie.delivery.models import Delivery, Mailing, Variant
    from hygie.lib.robots import automated_reason
    from hygie.lib.visits import Visit
    from hygie.phishing.models import HitKind, SimulationEvent, Verdict
    from hygie.phishing.services import (
        delivery_confirm_presence,
        delivery_record_hit,
        delivery_record_open,
    )

    hits = read()
    factory = RequestFactory()
    organisation = Organisation.objects.create(
        name="Bench", slug="bench", track_individual_opens=True
    )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    mailing = Mailing.objects.create(
        organisation=organisation, name="S", kind="simulation", segment=segment
    )
    variant = Variant.objects.create(mailing=mailing, subject="s", text_body="{{ lien }}")
    sent_at = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    count = max(hit["recipient"] for hit in hits) + 1
    people = Person.objects.bulk_create(
        Person(organisation=organisation, email=f"p{n}@example.org") for n in range(count)
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
    for delivery in deliveries:
        delivery.mailing = mailing  # delivery_record_open reads the organisation's setting

    labelled: list[tuple[int, dict]] = []
    baseline: dict[str, list[bool]] = defaultdict(list)
    kinds = {"click": HitKind.CLICK, "hidden": HitKind.CLICK, "submit": HitKind.SUBMIT}
    kinds["report"] = HitKind.REPORT
    for hit in hits:
        moment = sent_at + timedelta(seconds=hit["at"])
        delivery = deliveries[hit["recipient"]]
        make = {"GET": factory.get, "HEAD": factory.head, "POST": factory.post}[hit["method"]]
        request = make("/x/", REMOTE_ADDR=hit["address"], **hit["headers"])
        if hit["kind"] == "beacon":
            delivery_confirm_presence(
                delivery=delivery, visit=Visit.from_request(request), now=moment
            )
        elif hit["kind"] == "open":
            before = SimulationEvent.objects.count()
            delivery_record_open(delivery=delivery, visit=Visit.from_request(request), now=moment)
            event = SimulationEvent.objects.order_by("-pk").first()
            if event is not None and SimulationEvent.objects.count() > before:
                labelled.append((event.pk, hit))
        else:
            event = delivery_record_hit(
                delivery=delivery,
                kind=kinds[hit["kind"]],
                visit=Visit.from_request(request),
                hidden_link=hit["kind"] == "hidden",
                awaiting_page=hit["kind"] != "hidden" and hit["method"] != "HEAD",
                now=moment,
            )
            labelled.append((event.pk, hit))
            reason = automated_reason(Visit.from_request(request))
            baseline[hit["label"]].append(bool(reason) and "user agent" in reason)

    final = dict(SimulationEvent.objects.values_list("pk", "verdict"))
    links: dict[str, Counter[str]] = {"human": Counter(), "robot": Counter()}
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    opens: dict[str, Counter[str]] = defaultdict(Counter)
    for pk, hit in labelled:
        verdict = final[pk]
        if hit["kind"] == "open":
            opens[hit["family"]][verdict] += 1
            continue
        links[hit["label"]][verdict] += 1
        by_family[hit["family"]][verdict] += 1

    robots, humans = links["robot"], links["human"]
    said_person = robots[Verdict.HUMAN] + humans[Verdict.HUMAN]
    base_caught = sum(baseline["robot"])
    base_person = baseline["human"].count(False) + baseline["robot"].count(False)

    def share(part: float, whole: float) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    mpp = opens["Apple Mail Privacy Protection"]
    gmail = opens["Gmail image proxy (a person's open)"]
    print(
        json.dumps(
            {
                "hits": len(hits),
                "link_hits": sum(robots.values()) + sum(humans.values()),
                "recall": share(robots[Verdict.AUTOMATED], sum(robots.values())),
                "precision": share(humans[Verdict.HUMAN], said_person),
                "people_counted": share(
                    sum(humans.values()) - humans[Verdict.AUTOMATED], sum(humans.values())
                ),
                "people_confirmed": share(humans[Verdict.HUMAN], sum(humans.values())),
                "counted_precision": share(
                    sum(humans.values()) - humans[Verdict.AUTOMATED],
                    sum(humans.values())
                    - humans[Verdict.AUTOMATED]
                    + sum(robots.values())
                    - robots[Verdict.AUTOMATED],
                ),
                "baseline_recall": share(base_caught, len(baseline["robot"])),
                "baseline_precision": share(baseline["human"].count(False), base_person),
                "machine_opens_apart": share(mpp[Verdict.AUTOMATED], sum(mpp.values())),
                "gmail_opens_counted": share(
                    sum(gmail.values()) - gmail[Verdict.AUTOMATED], sum(gmail.values())
                ),
                "families": {
                    family: {
                        "hits": sum(counts.values()),
                        "robot_percent": share(counts[Verdict.AUTOMATED], sum(counts.values())),
                    }
                    for family, counts in sorted(by_family.items())
                },
            }
        )
    )


if __name__ == "__main__":
    main()
