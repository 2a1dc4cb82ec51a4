"""Child of bench_reports: 10,000 real reports of a few hundred lures, then timings.

Each lure has a sending domain (some free mail), a link host and path, sometimes an
attachment, and a text built from a pool of sentences; each report of it is
personalised (greeting, amount, per-victim link) as real campaigns are. A fifth of
the reports are one-off messages. Reports are inserted with their keys and left
ungrouped; `groups_rebuild` is timed on all of them, then new reports are grouped
one by one with `report_group_assign`. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

REPORTS = 10_000
LURES = 400
NEW_REPORTS = 40

SENTENCES = [
    "Votre remboursement est en attente de validation",
    "Votre carte professionnelle arrive à expiration",
    "Un paiement n'a pas pu être effectué",
    "Votre messagerie sécurisée est presque pleine",
    "Un nouveau document vous attend dans votre espace",
    "Confirmez vos coordonnées bancaires pour éviter une suspension",
    "Votre cotisation annuelle présente un écart",
    "Un patient a partagé des résultats avec vous",
    "Votre compte sera clôturé sans action de votre part",
    "La mise à jour de votre logiciel est obligatoire",
    "Votre colis ne peut pas être livré",
    "Une amende reste impayée",
    "Merci de vérifier votre identité",
    "Le dossier sera transmis au service contentieux",
    "Cliquez sur le lien ci-dessous pour régulariser",
    "Vous disposez de quarante-huit heures",
    "Nos services ont détecté une connexion inhabituelle",
    "Téléchargez la facture jointe",
    "Votre avis de situation est disponible",
    "Le montant sera prélevé automatiquement",
]
NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
FREE = ["gmail.com", "outlook.fr", "orange.fr", "laposte.net"]


def make_lures(rng: random.Random) -> list[dict[str, object]]:
    lures = []
    for n in range(LURES):
        words = rng.sample(SENTENCES, 6)
        sender = (
            f"contact{n}@{rng.choice(FREE)}" if n % 5 == 0 else f"service@portail-{n}-secu.example"
        )
        lures.append(
            {
                "subject": f"{words[0]} ({n})",
                "sender": sender,
                "host": f"lien-{n}.example" if n % 3 else f"cdn{n % 7}.hebergeur.example",
                "path": f"/p{n}/connexion",
                "body": ". ".join(words) + f". Référence lot {n}.",
                "file": f"{n:064x}" if n % 10 == 0 else "",
            }
        )
    return lures


def report_fields(lure: dict[str, object], rng: random.Random, n: int) -> dict[str, object]:
    token = f"{rng.getrandbits(64):x}"
    url = f"https://{lure['host']}{lure['path']}?id={token}"
    text = (
        f"Bonjour Docteur {rng.choice(NAMES)},\n{lure['body']}\n"
        f"Montant : {rng.randint(20, 300)},{rng.randint(0, 99):02d} €\nLien : {url}\n"
    )
    sender = str(lure["sender"])
    attachments = (
        [{"filename": "facture.pdf", "content_type": "application/pdf", "size": 1000,
          "sha256": lure["file"]}]
        if lure["file"]
        else []
    )  # fmt: skip
    return {
        "subject": str(lure["subject"]),
        "original_from": sender,
        "original_domain": sender.rsplit("@", 1)[1],
        "reporter_email": f"membre{n}@cabinet.example",
        "details": {"text": text, "urls": [url], "attachments": attachments},
    }


def one_off(rng: random.Random, n: int) -> dict[str, object]:
    words = rng.sample(SENTENCES, 5)
    lure = {
        "subject": f"{words[0]} [{n}]",
        "sender": f"x{n}@unique-{n}.example",
        "host": f"unique-{n}.example",
        "path": f"/u{n}",
        "body": ". ".join(words) + f" {n} " + " ".join(rng.sample(NAMES, 4)),
        "file": "",
    }
    return report_fields(lure, rng, n)


def analyse(connection: Any) -> None:
    """PostgreSQL statistics as a database in service has them (autovacuum analyses
    tables soon after changes this size); SQLite plans without statistics."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from hygie.accounts.models import Organisation
    from hygie.reporting import grouping, selectors
    from hygie.reporting.models import Kind, LureGroup, LureKey, Report

    rng = random.Random(20)
    organisation = Organisation.objects.create(name="Bench", slug="bench-reports")
    lures = make_lures(rng)
    # Campaign sizes follow a long tail: a few lures reach hundreds of members.
    weights = [1 / (rank + 1) for rank in range(LURES)]
    now = timezone.now()
    rows = []
    for n in range(REPORTS):
        fields = (
            one_off(rng, n) if n % 5 == 0 else report_fields(rng.choices(lures, weights)[0], rng, n)
        )
        rows.append(
            Report(
                organisation=organisation,
                kind=Kind.SUSPICIOUS,
                received_at=now - timedelta(minutes=REPORTS - n),
                **fields,
            )
        )
    Report.objects.bulk_create(rows, batch_size=1000)
    keys = []
    signatures = []
    for report in Report.objects.filter(organisation=organisation).defer("raw"):
        sig, found = grouping.fingerprint(report)
        report.signature = sig
        signatures.append(report)
        keys.extend(
            LureKey(organisation=organisation, report=report, kind=k.kind, value=k.value)
            for k in found
        )
    Report.objects.bulk_update(signatures, ["signature"], batch_size=1000)
    LureKey.objects.bulk_create(keys, batch_size=2000)
    analyse(connection)

    started = time.perf_counter()
    list(
        LureKey.objects.filter(organisation=organisation).values_list("report_id", "kind", "value")
    )
    read_keys_s = time.perf_counter() - started

    started = time.perf_counter()
    groups = grouping.groups_rebuild(organisation=organisation)
    regroup_s = time.perf_counter() - started
    # Reports now have their groups: the statistics must say so, or PostgreSQL plans
    # the key lookup for a table of ungrouped reports.
    analyse(connection)

    assign_ms = []
    similar_ms = []
    for n in range(NEW_REPORTS):
        fields = (
            report_fields(rng.choice(lures[:50]), rng, REPORTS + n)
            if n % 2
            else one_off(rng, REPORTS + n)
        )
        report = Report.objects.create(
            organisation=organisation, kind=Kind.SUSPICIOUS, received_at=timezone.now(), **fields
        )
        started = time.perf_counter()
        selectors.similar(report)
        similar_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        group = grouping.report_group_assign(report=report)
        assign_ms.append((time.perf_counter() - started) * 1000)
        assert group is not None
    result = {
        "assign_ms": statistics.median(assign_ms),
        "similar_ms": statistics.median(similar_ms),
        "regroup_s": regroup_s,
        "read_keys_s": read_keys_s,
        "reports": Report.objects.filter(organisation=organisation).count(),
        "groups": groups,
        "lures": LURES,
    }
    if connection.vendor == "postgresql":
        LureGroup.objects.filter(organisation=organisation).delete()
        organisation.delete()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
