"""Create the demo organisation, its administrator and its population, once; print the
login every time.

Re-running keeps all existing data: the command only fills what is missing.
The generated password is kept in the local data directory (readable by the
owner only) so that it can be shown again on the next start.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.accounts.roles import Role
from hygie.accounts.services import membership_add, organisation_create
from hygie.audience.demo import write_population_csv
from hygie.audience.models import Person
from hygie.audience.services import import_run_from_file
from hygie.console.demo import incident_desk, past_awareness_campaign
from hygie.phishing.demo import past_simulation

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.hygie.test"
DEMO_POPULATION = 2000


class Command(BaseCommand):
    help = "Create the demo organisation and administrator if missing, then print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--population",
            type=int,
            default=DEMO_POPULATION,
            help=f"Members of the demo union, when it has none yet (default {DEMO_POPULATION}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        population = options.get("population", DEMO_POPULATION)
        if population < 1:
            raise CommandError("--population must be a positive number of members.")
        credentials_file = settings.VAR_DIR / "demo-login.txt"
        with transaction.atomic():
            organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
            if organisation is None:
                organisation = organisation_create(
                    name="Union régionale de démonstration",
                    slug=DEMO_SLUG,
                    actor=Actor.system(),
                    sender_name="Union régionale de démonstration",
                    sender_email="securite@demo.hygie.test",
                    brand_name="URPS Démo",
                    # A demo should open without an authenticator app; real
                    # organisations keep the default (two-factor required).
                    require_two_factor=False,
                )
            admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
            if admin is None:
                password = secrets.token_urlsafe(12)
                admin = User.objects.create_superuser(
                    email=DEMO_ADMIN_EMAIL,
                    password=password,
                    first_name="Camille",
                    last_name="Démo",
                )
                credentials_file.parent.mkdir(parents=True, exist_ok=True)
                credentials_file.write_text(password + "\n")
                credentials_file.chmod(0o600)
            if not organisation.memberships.filter(user=admin).exists():
                membership_add(
                    organisation=organisation, user=admin, role=Role.ADMIN, actor=Actor.system()
                )
        if not Person.objects.filter(organisation=organisation).exists():
            # Through the real import path, as an organisation would load its file.
            path = write_population_csv(settings.VAR_DIR / "demo-population.csv", population)
            import_run_from_file(organisation=organisation, path=path, apply=True)
            path.unlink(missing_ok=True)
        past_awareness_campaign(organisation, admin)
        past_simulation(organisation, admin)
        incident_desk(organisation, admin)
        password_text = (
            credentials_file.read_text().strip()
            if credentials_file.exists()
            else "(changed since; see your own records)"
        )
        self.stdout.write(
            "\n"
            "  Hygie demo is ready.\n"
            f"  Console:  {settings.PUBLIC_BASE_URL}/console/\n"
            f"  Login:    {DEMO_ADMIN_EMAIL}\n"
            f"  Password: {password_text}\n"
        )
