"""Simulation campaigns: creation (one variant per scenario), the launch guard, and
recording hits on tracked links."""

from __future__ import annotations

import html
import secrets

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
from hygie.phishing.detection import classify, field_kinds
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

PREFIXES = ("espace", "compte", "acces", "document", "dossier", "portail", "suivi", "connexion")


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
            html_body=str(data.get("html_body", "")).replace("{{ qr_code }}", "")
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
) -> SimulationEvent:
    """Append the event and move the delivery's summary forward (never backwards)."""
    now = timezone.now()
    verdict, reasons = classify(request, sent_at=delivery.sent_at, now=now, hidden_link=hidden_link)
    event = SimulationEvent.objects.create(
        delivery=delivery,
        kind=kind,
        at=now,
        verdict=verdict,
        reasons=reasons,
        field_kinds=field_kinds(submitted_fields or []),
    )
    result = SimulationResult.objects.select_for_update().filter(delivery=delivery).first()
    if result is None:
        return event
    if verdict == Verdict.AUTOMATED:
        result.automated_hits += 1
    else:
        stage = {HitKind.CLICK: Stage.CLICKED, HitKind.SUBMIT: Stage.SUBMITTED}.get(kind)  # type: ignore[call-overload]
        if stage is not None and stage > result.stage:
            result.stage = stage
        if kind == HitKind.CLICK and result.clicked_at is None:
            result.clicked_at = now
        if kind == HitKind.SUBMIT:
            result.clicked_at = result.clicked_at or now
            result.submitted_at = result.submitted_at or now
        if kind == HitKind.REPORT and result.reported_at is None:
            result.reported_at = now
    result.save()
    return event


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
