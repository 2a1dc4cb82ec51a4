"""A realistic synthetic population for demos and benchmarks (not for security: S311).

Practices of 1 to 6 doctors, some with practice staff, spread over the twelve
départements of Nouvelle-Aquitaine roughly in proportion to their population.
Every address is on a reserved example domain (RFC 2606): nothing can reach a
real mailbox.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

# (département, commune, postcode, weight)
PLACES = [
    ("16", "Angoulême", "16000", 4),
    ("16", "Cognac", "16100", 2),
    ("16", "Soyaux", "16800", 1),
    ("17", "La Rochelle", "17000", 5),
    ("17", "Saintes", "17100", 2),
    ("17", "Rochefort", "17300", 2),
    ("17", "Royan", "17200", 2),
    ("19", "Brive-la-Gaillarde", "19100", 3),
    ("19", "Tulle", "19000", 1),
    ("19", "Ussel", "19200", 1),
    ("23", "Guéret", "23000", 1),
    ("23", "La Souterraine", "23300", 1),
    ("24", "Périgueux", "24000", 3),
    ("24", "Bergerac", "24100", 2),
    ("24", "Sarlat-la-Canéda", "24200", 1),
    ("33", "Bordeaux", "33000", 14),
    ("33", "Mérignac", "33700", 4),
    ("33", "Pessac", "33600", 3),
    ("33", "Libourne", "33500", 2),
    ("33", "Arcachon", "33120", 2),
    ("40", "Mont-de-Marsan", "40000", 2),
    ("40", "Dax", "40100", 2),
    ("40", "Biscarrosse", "40600", 1),
    ("47", "Agen", "47000", 3),
    ("47", "Villeneuve-sur-Lot", "47300", 1),
    ("47", "Marmande", "47200", 1),
    ("64", "Pau", "64000", 5),
    ("64", "Bayonne", "64100", 4),
    ("64", "Biarritz", "64200", 2),
    ("64", "Anglet", "64600", 2),
    ("79", "Niort", "79000", 3),
    ("79", "Bressuire", "79300", 1),
    ("79", "Parthenay", "79200", 1),
    ("86", "Poitiers", "86000", 5),
    ("86", "Châtellerault", "86100", 2),
    ("86", "Loudun", "86200", 1),
    ("87", "Limoges", "87000", 5),
    ("87", "Saint-Junien", "87200", 1),
    ("87", "Panazol", "87350", 1),
]
SPECIALTIES = [
    ("Médecine générale", 46),
    ("Cardiologie", 5),
    ("Pédiatrie", 5),
    ("Dermatologie", 4),
    ("Gynécologie médicale", 4),
    ("Psychiatrie", 6),
    ("Ophtalmologie", 5),
    ("Radiologie", 5),
    ("Rhumatologie", 3),
    ("Gastro-entérologie", 3),
    ("ORL", 3),
    ("Anesthésie-réanimation", 4),
    ("Endocrinologie", 2),
    ("Pneumologie", 2),
    ("Neurologie", 2),
    ("Médecine du sport", 1),
]
FIRST_NAMES = (
    "Camille Léa Manon Chloé Emma Inès Sarah Julie Pauline Claire Anne Marie Sophie Hélène "
    "Élise Laure Nathalie Isabelle Céline Aurélie Mathilde Agathe Lucie Margaux Juliette "
    "Thomas Nicolas Julien Pierre Antoine Maxime Alexandre Guillaume Romain Hugo Louis Paul "
    "Arthur Jean Michel Philippe François Olivier Sébastien Vincent Benoît Étienne Mathieu "
    "Xabi Iban Maïté Amaia Kevin Yann Gaëlle Loïc Rémi Noémie"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin "
    "Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine "
    "Chevalier Robin Etcheverry Elissalde Darrigrand Larrieu Lacoste Dufau Lafargue Puyo "
    "Castaing Dupuy Labat Lalanne Barrère Bordes Cazenave Daguerre Haristoy Mauriac Dussol"
).split()
DOMAINS = ("example.org", "example.net", "example.com", "sante.example")
HEADERS = [
    "Civilité",
    "Nom",
    "Prénom",
    "Adresse e-mail",
    "Téléphone portable",
    "N° RPPS",
    "Profession",
    "Spécialité",
    "Code postal",
    "Ville",
    "Cabinet",
    "Adresse du cabinet",
]
STREETS = (
    "rue Sainte-Catherine",
    "cours de la Libération",
    "avenue du Général-de-Gaulle",
    "place de la République",
    "rue Victor-Hugo",
    "boulevard de la Plage",
    "rue des Écoles",
)


def _luhn_complete(base: str) -> str:
    for digit in "0123456789":
        candidate = base + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            number = int(char) * (2 if index % 2 else 1)
            total += number - 9 if number > 9 else number
        if total % 10 == 0:
            return candidate
    raise AssertionError("a Luhn digit always exists")


def population_rows(count: int, seed: int = 2026) -> Iterator[list[str]]:
    rng = random.Random(seed)
    places = [p for p in PLACES for _ in range(p[3])]
    specialties = [s for s, weight in SPECIALTIES for _ in range(weight)]
    produced = 0
    practice_number = 0
    while produced < count:
        practice_number += 1
        _departement, commune, postcode, _weight = rng.choice(places)
        doctors = rng.choices((1, 2, 3, 4, 5, 6), weights=(40, 22, 15, 10, 8, 5))[0]
        staff = rng.choices((0, 1, 2), weights=(55, 35, 10))[0]
        solo = doctors == 1 and rng.random() < 0.6
        practice = (
            ""
            if solo
            else rng.choice(("Cabinet médical", "Maison de santé", "Centre médical", "Cabinet"))
            + f" {rng.choice(LAST_NAMES)} {practice_number}"
        )
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
        for member in range(doctors + staff):
            if produced >= count:
                return
            produced += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            is_doctor = member < doctors
            local = unicodedata.normalize("NFKD", f"{first}.{last}.{produced}".lower())
            local = "".join(c for c in local if c.isascii())
            email = f"{local}@{rng.choice(DOMAINS)}"
            # 0639 and 069x numbers belong to overseas départements; keep to mainland ranges.
            phone = f"06{rng.randint(12_000_000, 29_999_999)}" if rng.random() < 0.7 else ""
            yield [
                rng.choice(("Dr", "Dr", "Dr", "Pr")) if is_doctor else rng.choice(("Mme", "M.")),
                last.upper() if rng.random() < 0.3 else last,
                first,
                email,
                " ".join(phone[i : i + 2] for i in range(0, len(phone), 2)),
                _luhn_complete(f"10{produced:08d}") if is_doctor else "",
                "Médecin"
                if is_doctor
                else rng.choice(("Secrétaire médicale", "Assistante médicale")),
                rng.choice(specialties) if is_doctor else "",
                postcode,
                commune,
                practice,
                address if practice else "",
            ]


def write_population_csv(path: Path, count: int, seed: int = 2026) -> Path:
    """Semicolon-separated, UTF-8 with BOM: what French Excel exports."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(population_rows(count, seed))
    return path
