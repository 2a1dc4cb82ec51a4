"""Creating awareness campaigns and recording what readers do on the capsule page."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.awareness import reminders
from hygie.awareness.models import (
    AwarenessCampaign,
    EventKind,
    OpenEvent,
    Programme,
    QuizAttempt,
    ReadingEvent,
)
from hygie.awareness.selectors import OPEN_SALT
from hygie.delivery.models import Delivery, Mailing, MailingKind, MailingStatus, Variant
from hygie.delivery.services import NO_RECIPIENTS, mailing_launch
from hygie.delivery.windows import SendingHours
from hygie.lib.robots import automated_reason
from hygie.lib.visits import Visit
from hygie.library.enrolment import Enrolment, PersonIds
from hygie.library.models import Capsule


def _capsule_link_template() -> str:
    marker = "TOKEN"
    path = reverse("awareness:capsule", args=[marker]).replace(marker, "{token}")
    return settings.PUBLIC_BASE_URL + path


def _aggregate_pixel_url(campaign: AwarenessCampaign) -> str:
    """A per-campaign image address: it counts opens without telling who opened."""
    key = signing.Signer(salt=OPEN_SALT).sign(str(campaign.pk))
    return settings.PUBLIC_BASE_URL + reverse("awareness:aggregate_open", args=[key])


def _email_context(campaign: AwarenessCampaign) -> dict[str, object]:
    organisation = campaign.organisation
    return {
        "capsule": campaign.capsule,
        "organisation": organisation,
        # Only where the organisation allows it does the email carry a personal pixel.
        "per_recipient_pixel": organisation.track_individual_opens,
        "aggregate_pixel": _aggregate_pixel_url(campaign),
    }


@transaction.atomic
def campaign_create(
    *,
    organisation: Organisation,
    actor: Actor,
    name: str,
    capsule: Capsule,
    segment: Segment | None,
    reminder_days: list[int] | None = None,
    recipients_private: bool = False,
    hours: SendingHours | None = None,
) -> AwarenessCampaign:
    """A draft campaign: its mailing carries a short email that leads to the capsule,
    sent within `hours` (the organisation's default window when not given).

    Without a segment, it is launched to chosen people (see `enrol`).
    """
    if capsule.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This capsule belongs to another organisation."))
    mailing = Mailing.objects.create(
        organisation=organisation,
        name=name,
        kind=MailingKind.AWARENESS,
        segment=segment,
        link_template=_capsule_link_template(),
        unsubscribe_link=True,
        recipients_private=recipients_private,
        created_by=actor.user,
        **(hours or SendingHours()).mailing_fields(),
    )
    campaign = AwarenessCampaign.objects.create(
        organisation=organisation,
        name=name,
        capsule=capsule,
        segment=segment,
        mailing=mailing,
        created_by=actor.user,
    )
    reminders.plan_reminders(campaign, reminder_days or [])
    context = _email_context(campaign)
    with translation.override(organisation.language):
        Variant.objects.create(
            mailing=mailing,
            key="A",
            subject=capsule.title,
            text_body=render_to_string("awareness/email.txt", context).strip(),
            html_body=render_to_string("awareness/email.html", context),
        )
    audit_record(
        action="awareness.created",
        actor=actor,
        organisation=organisation,
        target=campaign,
        details={"capsule": f"{capsule.slug} v{capsule.version}", "reminders": reminder_days or []},
    )
    return campaign


def enrolment_create(
    *,
    organisation: Organisation,
    capsule: Capsule,
    people: PersonIds,
    name: str,
    actor: Actor,
) -> Enrolment | None:
    """A campaign of `capsule` launched now to `people`, with the programme's reminder.

    The library's enroller (registered when the app is ready): how a simulation's
    follow-up puts those who clicked in front of the related capsule, measured like
    any other awareness campaign. None when none of them can receive it.
    """
    programme = Programme.objects.filter(organisation=organisation).first()
    programme = programme or Programme(organisation=organisation)  # the default settings
    days = [programme.reminder_days] if programme.reminder_days else []
    try:
        with transaction.atomic():
            campaign = campaign_create(
                organisation=organisation,
                actor=actor,
                name=name,
                capsule=capsule,
                segment=None,
                reminder_days=days[: programme.max_reminders],
                # Chosen for what they did: who received it is a result.
                recipients_private=True,
            )
            count = mailing_launch(mailing=campaign.mailing, actor=actor, people=people)
    except ValidationError as exc:
        if exc.code != NO_RECIPIENTS:
            raise
        return None
    return Enrolment(
        name=name, people=count, results_path=reverse("awareness:results", args=[campaign.pk])
    )


@transaction.atomic
def campaign_change_capsule(
    *,
    campaign: AwarenessCampaign,
    capsule: Capsule,
    actor: Actor,
) -> None:
    """Put another capsule in a campaign not launched yet, and rewrite its email."""
    if campaign.mailing.status != MailingStatus.DRAFT:
        raise ValidationError(_("A launched campaign keeps the capsule it sent."))
    if capsule.organisation_id not in (None, campaign.organisation_id):
        raise ValidationError(_("This capsule belongs to another organisation."))
    previous = campaign.capsule
    campaign.capsule = capsule
    campaign.save(update_fields=["capsule"])
    context = _email_context(campaign)
    with translation.override(campaign.organisation.language):
        campaign.mailing.variants.update(
            subject=capsule.title,
            text_body=render_to_string("awareness/email.txt", context).strip(),
            html_body=render_to_string("awareness/email.html", context),
        )
    audit_record(
        action="awareness.capsule_changed",
        actor=actor,
        organisation=campaign.organisation,
        target=campaign,
        details={
            "from": f"{previous.slug} v{previous.version}",
            "to": f"{capsule.slug} v{capsule.version}",
        },
    )


def delivery_record_view(*, delivery: Delivery, visit: Visit) -> ReadingEvent:
    """The reader opened the capsule page (a robot's visit is kept, flagged)."""
    reason = automated_reason(visit)
    return ReadingEvent.objects.create(
        delivery=delivery,
        kind=EventKind.PAGE_VIEWED,
        automated=bool(reason),
        automated_reason=reason,
    )


def _score(capsule: Capsule, answers: list[int | None]) -> int:
    """Right answers; None stands for a question the reader's role was not asked."""
    return sum(
        1
        for question, chosen in zip(capsule.quiz, answers, strict=True)
        if chosen is not None and question["choices"][chosen].get("correct") is True
    )


@transaction.atomic
def quiz_submit(
    *, delivery: Delivery, capsule: Capsule, answers: list[int | None], visit: Visit
) -> QuizAttempt:
    if (
        len(answers) != len(capsule.quiz)
        or all(a is None for a in answers)
        or any(
            a is not None and not 0 <= a < len(q["choices"])
            for a, q in zip(answers, capsule.quiz, strict=False)
        )
    ):
        raise ValidationError(_("Answer every question."))
    first_view = (
        ReadingEvent.objects.filter(delivery=delivery, kind=EventKind.PAGE_VIEWED, automated=False)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    now = timezone.now()
    attempt = QuizAttempt.objects.create(
        delivery=delivery,
        capsule=capsule,
        answers=answers,
        score=_score(capsule, answers),
        total=sum(1 for a in answers if a is not None),
        reading_seconds=int((now - first_view).total_seconds()) if first_view else None,
        completed_at=now,
    )
    reason = automated_reason(visit)
    ReadingEvent.objects.create(
        delivery=delivery,
        kind=EventKind.QUIZ_COMPLETED,
        at=now,
        automated=bool(reason),
        automated_reason=reason,
    )
    return attempt


def delivery_record_open(*, delivery: Delivery, visit: Visit) -> None:
    """A personal pixel was fetched. Kept per person only if the organisation allows it
    now; otherwise only the campaign's counter moves."""
    reason = automated_reason(visit)
    if delivery.mailing.organisation.track_individual_opens:
        OpenEvent.objects.create(delivery=delivery, automated=bool(reason), automated_reason=reason)
        return
    campaign = AwarenessCampaign.objects.filter(mailing_id=delivery.mailing_id).first()
    if campaign is not None:
        campaign_count_open(campaign_id=campaign.pk, automated=bool(reason))


def campaign_count_open(*, campaign_id: int, automated: bool) -> None:
    """The campaign-wide pixel was fetched (by a robot, when `automated`)."""
    field = "aggregate_automated_opens" if automated else "aggregate_opens"
    AwarenessCampaign.objects.filter(pk=campaign_id).update(**{field: F(field) + 1})
