from __future__ import annotations

import itertools
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.audience.models import Person, Segment
from hygie.delivery import sending
from hygie.delivery.models import Delivery, DeliveryStatus, SendingProfile
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement
from hygie.phishing.services import campaign_create, campaign_launch
from hygie.reporting.intake import ingest
from hygie.reporting.models import Mailbox, Report, Security
from hygie.reporting.services import mailbox_save
from hygie.reporting.tests import corpus
from hygie.testing.imap import ImapAccount


@pytest.fixture
def reporter(organisation) -> Person:
    return Person.objects.create(
        organisation=organisation,
        email=corpus.REPORTER,
        first_name="Élise",
        last_name="Martin",
        civility="dr",
        mobile_phone="+33612345678",
    )


def launch(organisation, admin, slug: str, sent_ago: timedelta) -> Delivery:
    scenarios_sync()
    SendingProfile.objects.get_or_create(
        organisation=organisation, defaults={"simulation_domain": "espace-pro.example"}
    )
    segment, _ = Segment.objects.get_or_create(organisation=organisation, name="Tous")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name=f"Exercice {slug}",
        scenarios=[Scenario.objects.get(slug=slug)],
        segment=segment,
    )
    SimulationAnnouncement.objects.get_or_create(
        organisation=organisation, announced_on=date(2026, 9, 1), channel="email"
    )
    campaign_launch(campaign=campaign, actor=Actor.system())
    deliveries = campaign.mailing.deliveries.all()
    deliveries.update(status=DeliveryStatus.SENT, sent_at=timezone.now() - sent_ago)
    return deliveries.get(person__email=corpus.REPORTER)


@pytest.fixture
def simulation_delivery(organisation, admin, reporter) -> Delivery:
    """The reporter received the 'avis de paiement' simulation two hours ago."""
    return launch(organisation, admin, "espace-pro-sante-avis-paiement", timedelta(hours=2))


def lure_bytes(delivery: Delivery) -> bytes:
    """The simulated message exactly as it reached the person."""
    return sending.render_email(delivery, now=delivery.sent_at or timezone.now())[0]


def tracked_link(delivery: Delivery) -> str:
    return sending.personal_link(delivery)


@pytest.fixture
def mailbox(organisation, admin, imap_account: ImapAccount) -> Mailbox:
    return mailbox_save(
        organisation=organisation,
        actor=Actor.staff(admin),
        fields={
            "address": corpus.MAILBOX,
            "host": "127.0.0.1",
            "port": imap_account.server.port,
            "security": Security.NONE,
            "username": imap_account.username,
            "folder": "INBOX",
            "poll_minutes": 5,
            "enabled": True,
        },
        password=imap_account.password,
    )


# Reports fed without a server: each message its own uid.
UIDS = itertools.count(1)
PHISHING_LINK = "https://portail-ameli-securite.example/connexion"


@pytest.fixture
def plain_mailbox(organisation) -> Mailbox:
    """A configured mailbox, for reports fed without a server."""
    return Mailbox.objects.create(
        organisation=organisation, host="imap.example", username="signalement"
    )


def receive(mailbox: Mailbox, raw: bytes) -> Report:
    """The report of `raw`, as read back from the database."""
    report = ingest(mailbox=mailbox, uidvalidity=1, uid=next(UIDS), raw=raw, size=len(raw))
    assert report is not None
    report.refresh_from_db()
    return report


def with_attachment() -> bytes:
    original = EmailMessage()
    original["Authentication-Results"] = "mx.example; spf=softfail; dkim=fail; dmarc=fail"
    original["From"] = "Support <support@portail-ameli-securite.example>"
    original["Subject"] = "Votre remboursement est en attente"
    original.set_content(f"Cliquez : {PHISHING_LINK}")
    original.add_alternative(
        f'<p onclick="x()">Cliquez <a href="{PHISHING_LINK}">ici</a></p>'
        '<img src="https://tracker.example/p.gif"><script>alert("x")</script>'
        '<iframe src="https://evil.example"></iframe><form action="https://evil.example">',
        subtype="html",
    )
    original.add_attachment(
        b"PK\x03\x04zip", maintype="application", subtype="zip", filename="remboursement.zip"
    )
    return corpus.as_attachment(original.as_bytes())
