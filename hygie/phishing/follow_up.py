"""After a simulation, to each person who clicked (robots excluded): the explanation by
email, for campaigns that showed a neutral page after a click, and the follow-up, an
enrolment in the capsule of the scenario's theme.

The enrolment is an awareness campaign, so that reading and quiz are measured like any
other. Phishing and awareness are sibling apps and neither imports the other
(docs/architecture.md): the campaign is made through the library's enroller, which the
awareness app registers.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.audience.models import PersonStatus
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingKind,
    MailingStatus,
    Variant,
)
from hygie.delivery.sending import window_of
from hygie.delivery.services import mailing_announce
from hygie.library.enrolment import Enrolment, enrol
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules
from hygie.phishing.models import AfterClick, Scenario, SimulationCampaign, SimulationResult, Stage


def capsule_for(campaign: SimulationCampaign, scenario: Scenario) -> Capsule | None:
    """The capsule of the scenario's theme, in the organisation's language if it has one."""
    organisation = campaign.organisation
    for language in dict.fromkeys((organisation.language, scenario.language)):
        capsule = available_capsules(organisation, language).filter(theme=scenario.theme).first()
        if capsule is not None:
            return capsule
    return None


def _clicked(campaign: SimulationCampaign, scenarios: list[Scenario]) -> QuerySet[SimulationResult]:
    """Results of the people sent one of `scenarios` who clicked, still reachable by email."""
    return SimulationResult.objects.filter(
        campaign=campaign,
        stage__gte=Stage.CLICKED,
        delivery__variant__key__in=[f"s{scenario.pk}" for scenario in scenarios],
        delivery__person__status=PersonStatus.ACTIVE,
        delivery__person__email__isnull=False,
    )


def _explanation(
    campaign: SimulationCampaign, scenario: Scenario, *, capsule: Capsule | None
) -> dict[str, str]:
    from hygie.phishing.teaching import annotated_message, reporting_address

    flags = annotated_message(scenario, {})["flags"]
    sent = campaign.mailing.variants.filter(key=f"s{scenario.pk}").first()
    context = {
        "organisation": campaign.organisation,
        "scenario": scenario,
        "flags": flags,
        "capsule": capsule,  # announced: it comes in its own message
        # What its clues point at: the address it came from, where its link led.
        "sender_address": sent.from_email if sent else "",
        "link_host": urlsplit(campaign.mailing.link_template).hostname or "",
        "threshold": campaign.organisation.anonymity_threshold,
        "reporting_address": reporting_address(campaign.organisation),
    }
    with translation.override(campaign.organisation.language):
        return {
            "subject": _("The exercise you took part in: the clues to spot"),
            "text_body": render_to_string("phishing/follow_up_email.txt", context).strip(),
            "html_body": render_to_string("phishing/follow_up_email.html", context),
        }


def _send_explanations(
    campaign: SimulationCampaign, scenarios: list[Scenario], *, actor: Actor, now: datetime
) -> int:
    """One explanation message per person who clicked, in the scenario they were sent."""
    mailing = Mailing.objects.create(
        organisation=campaign.organisation,
        name=_("Explanations of %(name)s") % {"name": campaign.name},
        kind=MailingKind.NOTICE,
        channel=Channel.EMAIL,
        unsubscribe_link=False,
        link_template=settings.PUBLIC_BASE_URL + reverse("portal:start"),
        # Its recipients are the people who clicked: a result, not a mailing list.
        recipients_private=True,
        created_by=actor.user,
    )
    when = window_of(mailing).next_open(now)
    rows = []
    for scenario in scenarios:
        capsule = capsule_for(campaign, scenario) if campaign.follow_up else None
        variant = Variant.objects.create(
            mailing=mailing,
            key=f"s{scenario.pk}",
            **_explanation(campaign, scenario, capsule=capsule),
        )
        people = _clicked(campaign, [scenario]).values_list(
            "delivery__person_id", "delivery__person__email"
        )
        rows += [
            Delivery(
                mailing=mailing,
                organisation=campaign.organisation,
                person_id=person_id,
                variant=variant,
                channel=Channel.EMAIL,
                recipient=email,
                status=DeliveryStatus.SCHEDULED,
                scheduled_at=when,
                next_attempt_at=when,
            )
            for person_id, email in people
            if email
        ]
    Delivery.objects.bulk_create(rows)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=MailingStatus.SCHEDULED if rows else MailingStatus.COMPLETED,
        launched_at=now,
        completed_at=None if rows else now,
    )
    if rows:  # an empty one is completed at once, and announced neither way
        mailing_announce(mailing=mailing, deliveries=len(rows))
    return len(rows)


def _enrol_in_capsules(
    campaign: SimulationCampaign,
    scenarios: list[Scenario],
    *,
    actor: Actor,
) -> list[Enrolment]:
    """One awareness campaign per related capsule (scenarios of one theme share it)."""
    by_capsule: dict[int, tuple[Capsule, list[Scenario]]] = {}
    for scenario in scenarios:
        capsule = capsule_for(campaign, scenario)
        if capsule is not None:
            by_capsule.setdefault(capsule.pk, (capsule, []))[1].append(scenario)
    enrolments = []
    for capsule, related in by_capsule.values():
        people = _clicked(campaign, related).values_list("delivery__person_id", flat=True)
        name = _("%(capsule)s (follow-up of %(name)s)") % {
            "capsule": capsule.title,
            "name": campaign.name,
        }
        enrolment = enrol(
            organisation=campaign.organisation,
            capsule=capsule,
            people=people,
            name=name[:200],
            actor=actor,
        )
        if enrolment is not None:
            enrolments.append(enrolment)
    return enrolments


@transaction.atomic
def follow_up_send(*, campaign: SimulationCampaign, actor: Actor) -> int:
    """Once per campaign, to each person who clicked: the explanation by email and the
    enrolment in the related capsule, as the campaign asks. Returns the number of
    messages scheduled (explanations and capsules)."""
    locked = SimulationCampaign.objects.select_for_update().get(pk=campaign.pk)
    explain = locked.after_click == AfterClick.LATER
    if locked.explanations_sent_at is not None or not (explain or locked.follow_up):
        return 0
    now = timezone.now()
    scenarios = list(campaign.scenarios.all())
    explanations = _send_explanations(locked, scenarios, actor=actor, now=now) if explain else 0
    enrolments = _enrol_in_capsules(locked, scenarios, actor=actor) if locked.follow_up else []
    kept = [asdict(enrolment) for enrolment in enrolments]
    SimulationCampaign.objects.filter(pk=campaign.pk).update(
        explanations_sent_at=now, follow_up_enrolments=kept
    )
    campaign.explanations_sent_at = now
    campaign.follow_up_enrolments = kept
    audit_record(
        action="simulation.follow_up_sent",
        actor=actor,
        organisation=campaign.organisation,
        target=campaign,
        details={
            "explanations": explanations,
            "enrolled": {enrolment.name: enrolment.people for enrolment in enrolments},
        },
    )
    return explanations + sum(enrolment.people for enrolment in enrolments)
