"""Domains dressed up as the services members deal with.

A domain looks like a service when one of its labels contains the service's name
("ameli-remboursement-fr.example") or is one or two letters away from it
("amelli.fr"), while it is neither the service's own domain nor under it. The list
holds the services whose names the lures of members' inboxes borrow; it says
nothing about the services themselves.
"""

from __future__ import annotations

import re

# Brand name -> the domains that really are that service.
SERVICES: dict[str, tuple[str, ...]] = {
    "ameli": ("ameli.fr", "assurance-maladie.fr"),
    "cpam": ("ameli.fr",),
    "mssante": ("mssante.fr",),
    "esante": ("esante.gouv.fr",),
    "doctolib": ("doctolib.fr", "doctolib.com"),
    "urssaf": ("urssaf.fr",),
    "carmf": ("carmf.fr",),
    "impots": ("impots.gouv.fr",),
    "ordre": ("ordre.medecin.fr",),
    "cpsgestion": ("cps.fr", "esante.gouv.fr"),
    "antai": ("antai.gouv.fr",),
    "laposte": ("laposte.fr", "laposte.net"),
    "chronopost": ("chronopost.fr",),
    "colissimo": ("colissimo.fr", "laposte.fr"),
}


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def imitated_service(domain: str) -> str:
    """The service `domain` imitates ("" when none)."""
    domain = domain.lower().strip(".")
    if not domain:
        return ""
    for brand, genuine in SERVICES.items():
        if any(domain == g or domain.endswith(f".{g}") for g in genuine):
            continue
        labels = [label for label in re.split(r"[.\-_]", domain) if label]
        if any(brand in label for label in labels):
            return brand
        if len(brand) >= 5 and any(
            abs(len(label) - len(brand)) <= 2 and 0 < _distance(label, brand) <= 2
            for label in labels
        ):
            return brand
    return ""
