"""Child of bench_api: the same 100,000 rows by the import and by the bulk endpoint, then
the API's people list paged to the end and the console's list; prints one JSON line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from hygie.accounts.actors import Actor

CALL = 10_000
# population_rows' columns, named as the API (and the import) names them.
API_COLUMNS = (
    "civility",
    "last_name",
    "first_name",
    "email",
    "mobile_phone",
    "rpps",
    "profession",
    "specialty",
    "postcode",
    "commune",
    "practice_name",
    "practice_address",
)


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    os.environ["HYGIE_API_CALLS_PER_MINUTE"] = "1000000"
    import django

    django.setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hygie.accounts.models import Membership, Organisation, User
    from hygie.api.scopes import Scope
    from hygie.api.services import api_token_create
    from hygie.audience.demo import population_rows, write_population_csv
    from hygie.audience.models import Person
    from hygie.audience.services import import_run_from_file

    user = User.objects.create_user(email="bench@example.org", password="x" * 20)
    by_import = Organisation.objects.create(name="Import", slug="import")
    by_api = Organisation.objects.create(name="API", slug="api")
    Membership.objects.create(organisation=by_api, user=user, role="admin")

    path = write_population_csv(Path(os.environ["HYGIE_VAR_DIR"]) / "p.csv", count, seed=3)
    started = time.perf_counter()
    import_run_from_file(organisation=by_import, path=path, apply=True)
    import_seconds = time.perf_counter() - started

    token = api_token_create(
        organisation=by_api,
        name="bench",
        scopes=[Scope.WRITE_PEOPLE.value, Scope.READ_PEOPLE.value],
        expires_at=None,
        actor=Actor.staff(user),
    ).plain
    api = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": f"Bearer {token}"})
    rows = [dict(zip(API_COLUMNS, row, strict=True)) for row in population_rows(count, seed=3)]
    bodies = [json.dumps({"rows": rows[n : n + CALL]}) for n in range(0, len(rows), CALL)]
    started = time.perf_counter()
    for body in bodies:
        answer = api.post("/api/v1/people/bulk", body, content_type="application/json")
        assert answer.status_code == 200, answer.content[:500]
    bulk_seconds = time.perf_counter() - started
    assert (
        Person.objects.filter(organisation=by_api).count()
        == Person.objects.filter(organisation=by_import).count()
    )
    # The same calls again: nothing changes (idempotent), every row is compared.
    started = time.perf_counter()
    for body in bodies:
        answer = api.post("/api/v1/people/bulk", body, content_type="application/json")
        assert answer.json()["unchanged"] + answer.json()["rejected"] == len(
            json.loads(body)["rows"]
        )
    bulk_again_seconds = time.perf_counter() - started

    pages, samples, cursor = 0, [], None
    started = time.perf_counter()
    while True:
        params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
        before = time.perf_counter()
        answer = api.get("/api/v1/people", params)
        samples.append((time.perf_counter() - before) * 1000)
        assert answer.status_code == 200
        pages += 1
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    paging_seconds = time.perf_counter() - started

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    console = Client()
    console.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = console.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    console_samples = []
    for page in (1, 100, 1000, 1, 100, 1000, 1, 100, 1000):
        before = time.perf_counter()
        answer = console.get(f"/console/audience/?page={page}", HTTP_HOST="127.0.0.1")
        console_samples.append((time.perf_counter() - before) * 1000)
        assert answer.status_code == 200
    print(
        json.dumps(
            {
                "import_seconds": import_seconds,
                "bulk_seconds": bulk_seconds,
                "bulk_again_seconds": bulk_again_seconds,
                "pages": pages,
                "paging_seconds": paging_seconds,
                "api_page_ms": statistics.median(samples),
                "console_page_ms": statistics.median(console_samples),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
