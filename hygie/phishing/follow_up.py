"""After a simulation: the explanation by email (for campaigns that showed a neutral
page after a click) and the follow-up capsule, in one message per person.

The capsule is sent through the delivery engine from the shared library rather than
by enrolling the person in an awareness campaign: phishing and awareness are sibling
apps and neither imports the other (docs/architecture.md). The message carries the
capsule itself, so nothing more is needed to read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import User
from hygie.audience.models import PersonStatus
from hygie.delivery.engine import window_of
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingKind,
    MailingStatus,
    Variant,
)
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


def _variant(
    campaign: SimulationCampaign, scenario: Scenario, *, explain: bool, capsule: Capsule | None
) -> dict[str, str]:
    from hygie.phishing.services import annotated_message

    flags = annotated_message(scenario, {})["flags"]
    context = {
        "organisation": campaign.organisation,
        "scenario": scenario,
        "flags": flags,
        "explain": explain,
        "capsule": capsule,
    }
    with translation.override(campaign.organisation.language):
        subject = (
            _("The exercise you took part in: the clues to spot")
            if explain
            else _("To go further: %(title)s") % {"title": capsule.title if capsule else ""}
        )
        return {
            "subject": subject,
            "text_body": render_to_string("phishing/follow_up_email.txt", context).strip(),
            "html_body": render_to_string("phishing/follow_up_email.html", context),
        }


@transaction.atomic
def send_follow_up(
    *, campaign: SimulationCampaign, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Schedule one message to each person who clicked (robots excluded); once per
    campaign. Returns the number of messages."""
    locked = SimulationCampaign.objects.select_for_update().get(pk=campaign.pk)
    explain = locked.after_click == AfterClick.LATER
    if locked.explanations_sent_at is not None or not (explain or locked.follow_up):
        return 0
    now = timezone.now()
    mailing = Mailing.objects.create(
        organisation=campaign.organisation,
        name=_("Follow-up of %(name)s") % {"name": campaign.name},
        kind=MailingKind.NOTICE,
        channel=Channel.EMAIL,
        unsubscribe_link=False,
        link_template=settings.PUBLIC_BASE_URL + reverse("portal:start"),
        created_by=actor,
    )
    when = window_of(mailing).next_open(now)
    rows = []
    for scenario in campaign.scenarios.all():
        capsule = capsule_for(campaign, scenario) if locked.follow_up else None
        if not explain and capsule is None:
            continue
        variant = Variant.objects.create(
            mailing=mailing,
            key=f"s{scenario.pk}",
            **_variant(campaign, scenario, explain=explain, capsule=capsule),
        )
        people = SimulationResult.objects.filter(
            campaign=campaign,
            stage__gte=Stage.CLICKED,
            delivery__variant__key=f"s{scenario.pk}",
            delivery__person__status=PersonStatus.ACTIVE,
            delivery__person__email__isnull=False,
        ).values_list("delivery__person_id", "delivery__person__email")
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
    SimulationCampaign.objects.filter(pk=campaign.pk).update(explanations_sent_at=now)
    campaign.explanations_sent_at = now
    audit_record(
        action="simulation.follow_up_sent",
        actor=actor,
        organisation=campaign.organisation,
        target=campaign,
        details={"messages": len(rows), "explanation": explain, "capsule": locked.follow_up},
        request=request,
    )
    return len(rows)
