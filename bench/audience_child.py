"""Child of bench_audience: load N people, time console requests, print one JSON line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def timed(client, url: str, repeat: int = 15) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hygie.accounts.models import Membership, Organisation, User
    from hygie.audience.demo import write_population_csv
    from hygie.audience.models import Segment
    from hygie.audience.services import import_run_from_file

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    path = write_population_csv(Path(os.environ["HYGIE_VAR_DIR"]) / "p.csv", count, seed=3)
    import_run_from_file(organisation=organisation, path=path, apply=True)
    segment = Segment.objects.create(
        organisation=organisation,
        name="Généralistes de Gironde",
        filters={
            "departements": ["33"],
            "specialties": ["Médecine générale"],
            "statuses": ["active"],
        },
    )
    user = User.objects.create_user(email="bench@example.org", password="x" * 20)
    Membership.objects.create(organisation=organisation, user=user, role="admin")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    print(
        json.dumps(
            {
                "health_ms": timed(client, "/healthz"),
                "list_first_page_ms": timed(client, "/console/audience/"),
                "list_page_1000_ms": timed(client, "/console/audience/?page=1000"),
                "list_search_ms": timed(client, "/console/audience/?q=lefebvre&departement=33"),
                "segment_count_ms": timed(
                    client,
                    "/console/audience/segments/count/?departements=33"
                    "&specialties=M%C3%A9decine+g%C3%A9n%C3%A9rale&statuses=active",
                ),
                "segment_page_ms": timed(client, f"/console/audience/?segment={segment.pk}"),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
