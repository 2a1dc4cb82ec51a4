"""Child of bench_send: create N deliveries, send them with W worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import time as clock
from datetime import timedelta

from hygie.accounts.actors import Actor


def main(count: int, workers: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.utils import timezone

    from hygie.accounts.models import Organisation
    from hygie.audience.models import Person, Practice, Segment
    from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, SendingProfile, Variant
    from hygie.delivery.services import mailing_launch

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    SendingProfile.objects.create(organisation=organisation, rate_per_minute=10_000_000)
    practice = Practice.objects.create(organisation=organisation, name="Cabinet Étoile")
    Person.objects.bulk_create(
        (
            Person(
                organisation=organisation,
                email=f"dr.{n}@example.org",
                first_name="Élise",
                last_name=f"Lefèvre{n}",
                civility="dr",
                practice=practice,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    mailing = Mailing.objects.create(
        organisation=organisation,
        name="Bench",
        segment=segment,
        from_email="securite@urps.example",
        from_name="URPS Sécurité",
        link_template="https://hygie.example/c/{token}/",
        window_days=list(range(7)),
        window_start=clock(0, 0),
        window_end=clock(23, 59, 59),
    )
    Variant.objects.create(
        mailing=mailing,
        subject="{{ prenom }}, trois réflexes contre l'hameçonnage",
        text_body="Bonjour {{ civilite }} {{ nom }},\n\nVotre capsule : {{ lien }}\n" * 5,
        html_body='<p>Bonjour {{ civilite }} {{ nom }},</p><p><a href="{{ lien }}">Lire</a></p>'
        * 5,
    )
    started = time.perf_counter()
    mailing_launch(mailing=mailing, actor=Actor.system())
    create_seconds = time.perf_counter() - started
    if workers == 0:  # creation only
        assert Delivery.objects.count() == count
        print(json.dumps({"create_seconds": create_seconds}))
        return
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    from django.db import connection

    connection.close()
    env = dict(os.environ, HYGIE_WORKER_IDLE_SECONDS="0", HYGIE_DELIVERY_BATCH_SIZE="500")
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker"], env=env, stderr=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    while Delivery.objects.filter(status=DeliveryStatus.SENT).count() < count:
        time.sleep(0.5)  # a lighter poll: the workers need the CPU
    # The sending rate, from the first to the last message (process start-up excluded).
    from django.db.models import Max, Min

    span = Delivery.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    elapsed = max((span["last"] - span["first"]).total_seconds(), 1e-3)
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()
    print(json.dumps({"create_seconds": create_seconds, "rate": count / elapsed}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
