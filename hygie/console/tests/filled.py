"""An organisation filled with what a union has after its first months, built with the
demo's own helpers and the real public endpoints: members imported from a file (every
profession, specialties, départements), a capsule campaign read and quizzed, a simulation
launched with people and robots (scanners, sandboxes) among its hits, reports in the
mailbox grouped into campaigns in circulation, incident reports and a call-back slot, a
draft, a paused and a scheduled mailing, a draft simulation, an annual report.

Built once per test module (see `filled_organisation`): the rows stay inside a
transaction that is rolled back when the module is done.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from hygie.audience.demo import write_population_csv
from hygie.audience.models import ImportJob, Person, PersonStatus, Practice, Segment
from hygie.audience.services import import_run_from_file
from hygie.awareness.models import AwarenessCampaign
from hygie.console.demo import incident_desk, past_awareness_campaign
from hygie.delivery import sending
from hygie.delivery.models import Delivery, Mailing, MailingKind, Variant
from hygie.delivery.services import mailing_launch, mailing_pause
from hygie.incidents.models import IncidentReport
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.phishing.demo import past_simulation
from hygie.phishing.models import Scenario, SimulationCampaign
from hygie.phishing.services import campaign_create as simulation_create
from hygie.reporting.intake import ingest, ingest_text
from hygie.reporting.models import LureGroup, Mailbox, Report

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
MAILBOX = "signalement@urps-na.example"


@dataclass
class Filled:
    organisation: Organisation
    admin: User
    person: Person
    practice: Practice
    import_job: ImportJob
    segment: Segment
    capsule: Capsule
    awareness: AwarenessCampaign
    simulation: SimulationCampaign
    draft_simulation: SimulationCampaign
    scenario: Scenario
    draft_mailing: Mailing
    paused_mailing: Mailing
    incident: IncidentReport
    report: Report
    group: LureGroup
    annual_report_id: int
    # A delivery of the simulation and one of the capsule campaign, for the public pages.
    lure: Delivery
    capsule_delivery: Delivery
    extra: dict[str, object] = field(default_factory=dict)


def _suspicious(subject: str, sender: str, link: str, when: datetime) -> bytes:
    """A phishing message as a member received it, forwarded as an attachment."""
    original = EmailMessage()
    original["Authentication-Results"] = (
        f"mx.cabinet.example; spf=fail smtp.mailfrom={sender.split('@')[1]}; dkim=none; "
        f"dmarc=fail header.from={sender.split('@')[1]}"
    )
    original["From"] = f"Service client <{sender}>"
    original["To"] = "dr.martin@cabinet-martin.example"
    original["Subject"] = subject
    original["Message-ID"] = f"<{secrets.token_hex(6)}@{sender.split('@')[1]}>"
    original["Date"] = format_datetime(when)
    original.set_content(
        f"Bonjour,\n\nUn remboursement de 84,20 EUR est en attente.\n"
        f"Confirmez vos coordonnées : {link}\n\nLe service client\n"
    )
    outer = EmailMessage()
    outer["From"] = "Dr Martin <dr.martin@cabinet-martin.example>"
    outer["To"] = MAILBOX
    outer["Subject"] = f"Fwd: {subject}"
    outer["Message-ID"] = f"<fwd-{secrets.token_hex(6)}@cabinet-martin.example>"
    outer["Date"] = format_datetime(when + timedelta(minutes=20))
    outer.set_content("Bonjour, ce message me paraît louche.\n")
    outer.add_attachment(original)
    return outer.as_bytes()


def _reports(organisation: Organisation, lure: Delivery) -> Report:
    mailbox = Mailbox.objects.create(
        organisation=organisation,
        address=MAILBOX,
        host="imap.urps-na.example",
        username=MAILBOX,
        enabled=False,
    )
    now = timezone.now()
    first = None
    raws = [
        _suspicious(
            "Votre remboursement est en attente",
            "support@portail-ameli-securite.example",
            "https://portail-ameli-securite.example/connexion",
            now - timedelta(hours=5 - n),
        )
        for n in range(3)
    ]
    # A member forwards the simulation itself: recorded as a report of the exercise.
    raws.append(sending.render_email(lure, now=lure.sent_at or now)[0])
    for uid, raw in enumerate(raws, start=1):
        report = ingest(mailbox=mailbox, uidvalidity=1, uid=uid, raw=raw, size=len(raw))
        first = first or report
    ingest_text(
        organisation=organisation,
        text="Colis en attente : réglez 1,99 € sur https://colis-relais.example/p",
        reporter="dr.martin@cabinet-martin.example",
    )
    assert first is not None
    return first


def build(directory: Path) -> Filled:
    organisation = OrganisationFactory(
        name="URPS Médecins Nouvelle-Aquitaine",
        slug="urps-na",
        brand_name="URPS Nouvelle-Aquitaine",
        name_article="l'",
    )
    admin = UserFactory(email="admin@urps-na.example", first_name="Camille", last_name="Roux")
    admin.is_superuser = True  # the caught mail and the processes are a superuser's
    admin.save()
    MembershipFactory(organisation=organisation, user=admin, role=Role.ADMIN)
    path = write_population_csv(directory / "adherents.csv", 500)
    job = import_run_from_file(organisation=organisation, path=path, apply=True)
    capsules_sync()
    past_awareness_campaign(organisation, admin)
    past_simulation(organisation, admin)
    incident_desk(organisation, admin)
    awareness = AwarenessCampaign.objects.get(organisation=organisation)
    simulation = SimulationCampaign.objects.get(organisation=organisation)
    segment = simulation.segment
    assert segment is not None
    # The robots and people of the demo traffic come with their reasons; one person
    # answered "it was not me", which is a reason too.
    lure = (
        Delivery.objects.filter(mailing=simulation.mailing, simulation_result__isnull=False)
        .exclude(person=None)
        .order_by("pk")
        .first()
    )
    assert lure is not None
    client = Client(HTTP_HOST=settings.TRACKING_HOSTS[0])
    client.get(
        f"/{simulation.path_prefix}/{lure.token}/",
        HTTP_USER_AGENT=PHONE,
        HTTP_ACCEPT_LANGUAGE="fr-FR",
        REMOTE_ADDR="10.9.8.7",
    )
    client.post(f"/{simulation.path_prefix}/{lure.token}/pas-moi/", HTTP_USER_AGENT=PHONE)
    report = _reports(organisation, lure)
    group = LureGroup.objects.filter(organisation=organisation).order_by("pk").first()
    assert group is not None

    scenario = simulation.scenarios.order_by("pk").first()
    assert scenario is not None
    draft_simulation = simulation_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Exercice de printemps",
        scenarios=[scenario],
        segment=segment,
    )
    draft_mailing = Mailing.objects.create(
        organisation=organisation,
        name="Lettre d'information de décembre",
        kind=MailingKind.NOTICE,
        segment=segment,
        from_name="URPS Nouvelle-Aquitaine",
        from_email="securite@urps-na.example",
        created_by=admin,
    )
    Variant.objects.create(
        mailing=draft_mailing,
        key="A",
        subject="Les rendez-vous de décembre",
        text_body="{{ salutation }}\n\nVoici les rendez-vous du mois : {{ lien }}",
    )
    paused_mailing = Mailing.objects.create(
        organisation=organisation,
        name="Rappel : mise à jour des logiciels",
        kind=MailingKind.NOTICE,
        segment=segment,
        from_name="URPS Nouvelle-Aquitaine",
        from_email="securite@urps-na.example",
        window_days=list(range(7)),
        created_by=admin,
    )
    Variant.objects.create(
        mailing=paused_mailing,
        key="A",
        subject="Pensez aux mises à jour",
        text_body="{{ salutation }}\n\nPensez à mettre à jour vos logiciels.",
    )
    mailing_launch(mailing=paused_mailing, actor=Actor.staff(admin))
    mailing_pause(mailing=paused_mailing, actor=Actor.staff(admin))
    from hygie.analytics.services import annual_report_request

    annual = annual_report_request(
        organisation=organisation,
        year=date.today().year,  # noqa: DTZ011
        actor=Actor.staff(admin),
    )
    incident = IncidentReport.objects.filter(organisation=organisation).order_by("pk").first()
    assert incident is not None
    person = (
        Person.objects.filter(organisation=organisation, status=PersonStatus.ACTIVE)
        .exclude(practice=None)
        .order_by("pk")
        .first()
    )
    assert person is not None and person.practice is not None
    capsule_delivery = (
        Delivery.objects.filter(mailing=awareness.mailing).exclude(person=None).order_by("pk")
    ).first()
    assert capsule_delivery is not None
    return Filled(
        organisation=organisation,
        admin=admin,
        person=person,
        practice=person.practice,
        import_job=job,
        segment=segment,
        capsule=awareness.capsule,
        awareness=awareness,
        simulation=simulation,
        draft_simulation=draft_simulation,
        scenario=scenario,
        draft_mailing=draft_mailing,
        paused_mailing=paused_mailing,
        incident=incident,
        report=report,
        group=group,
        annual_report_id=annual.pk,
        lure=lure,
        capsule_delivery=capsule_delivery,
        extra={
            "last_incident": IncidentReport.objects.filter(organisation=organisation)
            .latest("pk")
            .pk
        },
    )


def catch_mail(directory: Path, when: datetime) -> str:
    """A message in the local mail catcher, as the demo's SMTP server keeps it."""
    message = EmailMessage()
    message["From"] = "URPS Nouvelle-Aquitaine <securite@urps-na.example>"
    message["To"] = "Dr Élise Durand <elise.durand@cabinet.example>"
    message["Reply-To"] = "contact@urps-na.example"
    message["Subject"] = "Capsule : les mots de passe"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = "<capsule-1@urps-na.example>"
    message.set_content("Bonjour Docteur Durand,\n\nVotre capsule du mois vous attend.")
    message.add_alternative("<p>Bonjour Docteur Durand,</p>", subtype="html")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{when:%Y%m%dT%H%M%S}-{secrets.token_hex(6)}.eml"
    (directory / name).write_bytes(message.as_bytes())
    return name


@pytest.fixture(scope="module")
def filled_organisation(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Filled]:
    """The filled organisation, built once for the module and rolled back after it."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build(tmp_path_factory.mktemp("filled"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
