"""Child process of bench_import: import N generated rows, print one JSON line."""

from __future__ import annotations

import csv
import json
import os
import resource
import sys
import time
from pathlib import Path


def main(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from hygie.accounts.models import Organisation
    from hygie.audience import importing
    from hygie.audience.demo import write_population_csv
    from hygie.audience.models import ImportJob, Person
    from hygie.audience.services import import_run_from_file

    var = Path(os.environ["HYGIE_VAR_DIR"])
    path = write_population_csv(var / "population.csv", rows, seed=7)
    started = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        parsed = sum(1 for _ in csv.reader(handle, delimiter=";"))
    parse_seconds = time.perf_counter() - started

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    started = time.perf_counter()
    job = import_run_from_file(organisation=organisation, path=path, apply=False)
    analysed = time.perf_counter()
    importing.apply(ImportJob.objects.get(pk=job.pk))
    finished = time.perf_counter()
    assert Person.objects.count() == rows, Person.objects.count()
    print(
        json.dumps(
            {
                "rows": parsed - 1,
                "parse_seconds": parse_seconds,
                "analyse_seconds": analysed - started,
                "seconds": finished - started,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
