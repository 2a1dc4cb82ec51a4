"""Living demo data: a past awareness campaign whose readers went through the real
public capsule page (in-process requests), with plausible misconceptions."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.awareness.models import AwarenessCampaign
from hygie.awareness.services import campaign_create
from hygie.delivery.models import Delivery, DeliveryStatus, MailingStatus
from hygie.delivery.services import mailing_launch
from hygie.library.models import Capsule

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
SCANNER = "Mozilla/5.0 (compatible; Proofpoint URL Defense)"


def past_awareness_campaign(organisation: Organisation, admin: User, seed: int = 7) -> None:
    """Create it once: sent six weeks ago, opened by about half, quizzed by a third."""
    if AwarenessCampaign.objects.filter(organisation=organisation).exists():
        return
    capsule = (
        Capsule.objects.filter(slug="hameconnage-email", language="fr").order_by("-version").first()
    )
    if capsule is None:
        return
    rng = random.Random(seed)  # noqa: S311 - demo data
    with transaction.atomic():
        segment, _created = Segment.objects.get_or_create(
            organisation=organisation,
            name="Tous les médecins",
            defaults={"filters": {"professions": ["doctor"], "statuses": ["active"]}},
        )
        campaign = campaign_create(
            organisation=organisation,
            actor=Actor.staff(admin),
            name="Capsule de septembre : hameçonnage",
            capsule=capsule,
            segment=segment,
        )
        mailing_launch(mailing=campaign.mailing, actor=Actor.staff(admin), seed=seed)
        sent_at = timezone.now() - timedelta(weeks=6)
        # The demo does not mail 1,500 fictitious doctors: the messages are marked as sent.
        Delivery.objects.filter(mailing=campaign.mailing).update(
            status=DeliveryStatus.SENT,
            sent_at=sent_at,
            scheduled_at=sent_at,
            next_attempt_at=sent_at,
            attempts=1,
        )
        campaign.mailing.status = MailingStatus.COMPLETED
        campaign.mailing.completed_at = sent_at
        campaign.mailing.save(update_fields=["status", "completed_at"])
    client = Client(HTTP_HOST="127.0.0.1")
    quiz = capsule.quiz
    # In a fixed order, so that the seeded draws fall on the same readers on every database.
    for delivery in Delivery.objects.filter(mailing=campaign.mailing).order_by("pk").only("token"):
        url = reverse("awareness:capsule", args=[delivery.token])
        if rng.random() < 0.3:
            client.get(url, HTTP_USER_AGENT=SCANNER)  # a mail gateway checks the link
        if rng.random() > 0.5:
            continue
        client.get(url, HTTP_USER_AGENT=PHONE)
        if rng.random() > 0.65:
            continue
        answers = {}
        for index, question in enumerate(quiz):
            right = [n for n, c in enumerate(question["choices"]) if c.get("correct")]
            wrong = [n for n, c in enumerate(question["choices"]) if not c.get("correct")]
            # Question 2 is the classic misconception; the others are mostly known.
            miss = 0.45 if index == 1 else 0.15
            answers[f"q{index}"] = str(
                rng.choice(wrong if wrong and rng.random() < miss else right)
            )
        client.post(url, answers, HTTP_USER_AGENT=PHONE)


def incident_desk(organisation: Organisation, admin: User) -> None:
    """A few reports and call-back requests in the demo desk, once."""
    from hygie.incidents.assistant import outcome_paths
    from hygie.incidents.content import Outcome, load_tree
    from hygie.incidents.models import IncidentReport
    from hygie.incidents.services import report_submit, slot_create

    if IncidentReport.objects.filter(organisation=organisation).exists():
        return
    tree = load_tree()
    wanted = ["ransomware", "fovi_fake_rib", "misdirected_data", "device_lost_high_risk"]
    found: dict[str, tuple[str, Outcome]] = {}
    for steps, outcome in outcome_paths(tree):
        if outcome.id in wanted and outcome.id not in found:
            found[outcome.id] = (".".join(steps), outcome)
    chosen = {key: found[key] for key in wanted if key in found}
    now = timezone.now()
    tomorrow = now.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    slot = slot_create(
        organisation=organisation,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(minutes=30),
        capacity=2,
        actor=Actor.staff(admin),
    )
    people = [
        (
            "Dr Hélène Marty",
            "Cabinet des Capucins",
            "06 12 48 75 20",
            "L'écran affiche une demande de rançon depuis ce matin.",
        ),
        ("Dr Julien Etcheverry", "", "", "J'ai validé un virement vers un nouveau RIB."),
        ("Sophie Lacoste, secrétaire", "Maison de santé du Port", "", ""),
        ("Dr Paul Dufau", "", "06 23 51 84 12", "Ordinateur portable volé dans la voiture."),
    ]
    # The demo's handlers need no email for these (the mail catcher is not started yet).
    quiet = override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    )
    rows = zip(chosen.values(), people, strict=False)
    with quiet:
        for index, ((path, outcome), (name, practice, phone, message)) in enumerate(rows):
            report_submit(
                organisation=organisation,
                outcome=outcome,
                path=path,
                discovered_at=now - timedelta(hours=6 + 20 * index),
                name=name,
                practice=practice,
                email=f"demo{index}@cabinet.example",
                phone=phone,
                message=message,
                departement=("33", "64", "40", "33")[index % 4],
                slot=slot if phone and index < 2 else None,
            )
