"""Simulation campaigns: creation (one variant per scenario), the launch guard, and
recording hits on tracked links."""

from __future__ import annotations

import html
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.delivery.engine import profile_of
from hygie.delivery.models import Delivery, Mailing, MailingKind, Variant
from hygie.delivery.services import mailing_launch
from hygie.phishing.detection import BURST_WINDOW, classify, field_kinds, source_of
from hygie.phishing.models import (
    HitKind,
    Scenario,
    SimulationAnnouncement,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)

STAGE_OF: dict[str, Stage] = {HitKind.CLICK: Stage.CLICKED, HitKind.SUBMIT: Stage.SUBMITTED}
PREFIXES = ("espace", "compte", "acces", "document", "dossier", "portail", "suivi", "connexion")


# The QR code of a QR scenario is an image served by the tracking host; it encodes
# the person's tracked link. Loading the image is not a click (scanning it is).
QR_IMAGE = (
    '<img src="{{ lien }}q.png" alt="QR code" width="180" height="180" '
    'style="display:block;width:180px;height:180px">'
)


def variant_key(scenario: Scenario) -> str:
    """The mailing variant that carries a scenario (variant keys are 8 characters)."""
    return f"s{scenario.pk}"


def hidden_link_html() -> str:
    # A link no person sees or can click; robots that follow every href find it.
    return (
        '<a href="{{ lien }}h/" style="display:none;font-size:0;color:transparent" '
        'aria-hidden="true" tabindex="-1"></a>'
    )


@transaction.atomic
def campaign_create(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    scenarios: list[Scenario],
    segment: Segment,
    request: HttpRequest | None = None,
) -> SimulationCampaign:
    if not scenarios:
        raise ValidationError(_("Choose at least one scenario."))
    channels = {s.channel if s.channel != "qr" else "email" for s in scenarios}
    if len(channels) > 1:
        raise ValidationError(_("Mix email and SMS scenarios in separate campaigns."))
    domain = profile_of(organisation.pk).simulation_domain
    if not domain and "email" in channels:
        raise ValidationError(
            _("Set the simulation domain of the organisation's sending profile first.")
        )
    prefix = secrets.choice(PREFIXES) + secrets.token_hex(2)
    base = settings.TRACKING_BASE_URL
    mailing = Mailing.objects.create(
        organisation=organisation,
        name=name,
        kind=MailingKind.SIMULATION,
        channel=channels.pop(),
        segment=segment,
        unsubscribe_link=False,
        link_template=f"{base}/{prefix}/{{token}}/",
        created_by=actor,
    )
    for scenario in scenarios:
        data = scenario.data
        Variant.objects.create(
            mailing=mailing,
            key=variant_key(scenario),
            weight=1,
            subject=data.get("subject", ""),
            text_body=data.get("text_body", ""),
            html_body=str(data.get("html_body", "")).replace("{{ qr_code }}", QR_IMAGE)
            + hidden_link_html(),
            sms_body=data.get("sms_body", ""),
            from_name=data.get("sender_name", ""),
            from_email=f"{data['sender_local_part']}@{domain}"
            if domain and data.get("sender_local_part")
            else "",
        )
    campaign = SimulationCampaign.objects.create(
        organisation=organisation,
        name=name,
        segment=segment,
        mailing=mailing,
        path_prefix=prefix,
        created_by=actor,
    )
    campaign.scenarios.set(scenarios)
    audit_record(
        action="simulation.created",
        actor=actor,
        organisation=organisation,
        target=campaign,
        details={"scenarios": [s.slug for s in scenarios]},
        request=request,
    )
    return campaign


@transaction.atomic
def campaign_launch(
    *, campaign: SimulationCampaign, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Refused until the organisation has recorded that its people were told."""
    if not SimulationAnnouncement.objects.filter(organisation=campaign.organisation).exists():
        raise ValidationError(
            _("Record first when and how your members were told that simulations exist.")
        )
    count = mailing_launch(mailing=campaign.mailing, actor=actor, request=request)
    SimulationResult.objects.bulk_create(
        SimulationResult(delivery_id=pk, campaign=campaign)
        for pk in campaign.mailing.deliveries.filter(is_test=False).values_list("pk", flat=True)
    )
    return count


def scenario_of(delivery: Delivery) -> Scenario:
    return delivery.mailing.simulation.scenarios.get(pk=int(delivery.variant.key.removeprefix("s")))


@transaction.atomic
def record_hit(
    *,
    delivery: Delivery,
    kind: str,
    request: HttpRequest,
    hidden_link: bool = False,
    submitted_fields: list[str] | None = None,
    now: datetime | None = None,
) -> SimulationEvent:
    """Append the event and move the delivery's summary forward (never backwards)."""
    now = now or timezone.now()
    source = source_of(request)
    others = (
        SimulationEvent.objects.filter(source=source, at__gte=now - BURST_WINDOW)
        .exclude(delivery=delivery)
        .values("delivery")
        .distinct()
        .count()
    )
    verdict, reasons = classify(
        request,
        sent_at=delivery.sent_at,
        now=now,
        hidden_link=hidden_link,
        recipients_from_source=others,
    )
    event = SimulationEvent.objects.create(
        delivery=delivery,
        kind=kind,
        at=now,
        verdict=verdict,
        reasons=reasons,
        field_kinds=field_kinds(submitted_fields or []),
        source=source,
    )
    # A hidden-link hit or a burst also unmasks the visits that came just before it
    # from the same visitor: they were the same robot.
    earlier = SimulationEvent.objects.none()
    if hidden_link:
        earlier = SimulationEvent.objects.filter(
            delivery=delivery, at__gte=now - SAME_VISIT, at__lte=now
        )
    elif any(reason.startswith("burst") for reason in reasons):
        earlier = SimulationEvent.objects.filter(source=source, at__gte=now - BURST_WINDOW)
    touched = {delivery.pk}
    for previous in earlier.exclude(pk=event.pk).exclude(verdict=Verdict.AUTOMATED):
        previous.verdict = Verdict.AUTOMATED
        previous.reasons = [*previous.reasons, f"same visitor as: {reasons[0]}"]
        previous.save(update_fields=["verdict", "reasons"])
        touched.add(previous.delivery_id)
    for delivery_id in touched:
        refresh_result(delivery_id)
    return event


SAME_VISIT = timedelta(minutes=5)
# After a simulation ends, its links keep counting this long (late readers).
TRACKING_GRACE = timedelta(hours=48)


def campaign_end(
    *, campaign: SimulationCampaign, actor: User, request: HttpRequest | None = None
) -> None:
    if campaign.ended_at is None:
        campaign.ended_at = timezone.now()
        campaign.save(update_fields=["ended_at"])
        audit_record(
            action="simulation.ended",
            actor=actor,
            organisation=campaign.organisation,
            target=campaign,
            request=request,
        )


@transaction.atomic
def disown_hits(*, delivery: Delivery) -> None:
    """The person says the visits were not theirs: they no longer count as theirs."""
    for event in SimulationEvent.objects.filter(delivery=delivery, reviewed_verdict=""):
        event.reviewed_verdict = Verdict.AUTOMATED
        event.reasons = [*event.reasons, "the person said it was not them"]
        event.save(update_fields=["reviewed_verdict", "reasons"])
    refresh_result(delivery.pk)


def refresh_result(delivery_id: int) -> None:
    """Recompute a delivery's summary from its events (people only; robots counted apart).

    Progress only grows with new human events; it can shrink only when an earlier
    hit is found to have been a robot, which is a correction, not a step back.
    """
    result = SimulationResult.objects.select_for_update().filter(delivery_id=delivery_id).first()
    if result is None:
        return
    events = SimulationEvent.objects.filter(delivery_id=delivery_id).order_by("at", "pk")
    result.stage, result.clicked_at, result.submitted_at = Stage.SENT, None, None
    result.reported_at, result.automated_hits = None, 0
    for event in events:
        verdict = event.reviewed_verdict or event.verdict
        if verdict == Verdict.AUTOMATED:
            result.automated_hits += 1
            continue
        stage = STAGE_OF.get(event.kind)
        if stage is not None and stage > result.stage:
            result.stage = stage
        if event.kind in (HitKind.CLICK, HitKind.SUBMIT) and result.clicked_at is None:
            result.clicked_at = event.at
        if event.kind == HitKind.SUBMIT and result.submitted_at is None:
            result.submitted_at = event.at
        if event.kind == HitKind.REPORT and result.reported_at is None:
            result.reported_at = event.at
    result.save()


def annotated_message(scenario: Scenario, values: dict[str, str]) -> dict[str, object]:
    """The message as received, escaped, with each red flag wrapped in a numbered mark."""
    from hygie.delivery.placeholders import substitute

    data = scenario.data
    parts = {
        "sender": html.escape(data.get("sender_name", "")),
        "subject": html.escape(substitute(data.get("subject", ""), values)),
        "body": html.escape(substitute(data.get("text_body") or data.get("sms_body", ""), values)),
    }
    flags = []
    for number, flag in enumerate(data.get("red_flags", []), start=1):
        place = {
            "sender": "sender",
            "subject": "subject",
            "sms": "body",
            "link": "body",
            "body": "body",
        }.get(flag["where"])
        anchor = html.escape(flag["anchor"])
        if place and anchor in parts[place]:
            parts[place] = parts[place].replace(
                anchor, f'<mark id="flag-{number}">{anchor}<sup>{number}</sup></mark>', 1
            )
        flags.append(
            {
                "number": number,
                "where": flag["where"],
                "anchor": flag["anchor"],
                "explanation": flag["explanation"],
            }
        )
    return {"parts": parts, "flags": flags}
