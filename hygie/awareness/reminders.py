"""Reminders: a short second email, through the delivery engine, to those who have not read.

A campaign's reminders are rows created with the campaign (`Reminder.after_days`).
The scheduler's due-work source sends each one once its campaign's mailing has
finished sending and `after_days` have passed since launch. The row is claimed by
a conditional update of `sent_at` in the same transaction that creates the
reminder's mailing and deliveries: a second scheduler finds nothing to claim, and
a crash rolls both back.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.audience.models import PersonStatus
from hygie.awareness.models import (
    AwarenessCampaign,
    EventKind,
    Programme,
    QuizAttempt,
    ReadingEvent,
    Reminder,
)
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingKind,
    MailingStatus,
    Variant,
)
from hygie.delivery.sending import profile_of, window_of
from hygie.delivery.services import mailing_announce
from hygie.delivery.windows import spread

MAX_AFTER_DAYS = 60


def programme_of(organisation_id: int) -> Programme:
    programme, _created = Programme.objects.get_or_create(organisation_id=organisation_id)
    return programme


def check_reminder_days(organisation_id: int, days: list[int]) -> None:
    """Raise a ValidationError naming what is wrong with a campaign's reminder delays."""
    limit = programme_of(organisation_id).max_reminders
    if len(days) > limit:
        raise ValidationError(
            _("Your organisation allows at most %(limit)s reminder(s) per campaign.")
            % {"limit": limit}
        )
    if any(not 1 <= d <= MAX_AFTER_DAYS for d in days):
        raise ValidationError(
            _("A reminder is sent between 1 and %(max)s days after the capsule.")
            % {"max": MAX_AFTER_DAYS}
        )
    if len(set(days)) != len(days):
        raise ValidationError(_("Two reminders cannot be sent on the same day."))


def plan_reminders(campaign: AwarenessCampaign, days: list[int]) -> list[Reminder]:
    check_reminder_days(campaign.organisation_id, days)
    return [
        Reminder.objects.create(campaign=campaign, number=number, after_days=after)
        for number, after in enumerate(sorted(days), start=1)
    ]


def non_readers(campaign: AwarenessCampaign) -> list[tuple[int, str]]:
    """(person id, current address) of everyone sent the capsule who has not opened it.

    Only people still active with an address: unsubscribed, bounced and erased people
    are left out, as the engine does at launch.
    """
    read = ReadingEvent.objects.filter(
        delivery=OuterRef("pk"), kind=EventKind.PAGE_VIEWED, automated=False
    )
    answered = QuizAttempt.objects.filter(delivery=OuterRef("pk"))
    rows = (
        Delivery.objects.filter(
            mailing=campaign.mailing,
            is_test=False,
            status=DeliveryStatus.SENT,
            channel=Channel.EMAIL,
            person__status=PersonStatus.ACTIVE,
            person__email__isnull=False,
        )
        .exclude(Exists(read))
        .exclude(Exists(answered))
        .values_list("person_id", "person__email")
        .order_by("pk")
    )
    seen: set[int] = set()
    found = []
    for person_id, email in rows:
        if email and person_id not in seen:
            seen.add(person_id)
            found.append((person_id, email))
    return found


def _due(now: datetime) -> list[Reminder]:
    pending = Reminder.objects.filter(
        sent_at=None,
        campaign__mailing__status=MailingStatus.COMPLETED,
        campaign__mailing__launched_at__isnull=False,
    ).select_related("campaign__mailing__organisation", "campaign__capsule")
    return [
        r
        for r in pending
        if r.campaign.mailing.launched_at is not None
        and r.campaign.mailing.launched_at + timedelta(days=r.after_days) <= now
    ]


def send_due_reminders(now: datetime | None = None) -> int:
    """Due-work source: send every reminder whose day has come. Returns how many."""
    now = now or timezone.now()
    done = 0
    for reminder in _due(now):
        if send_reminder(reminder, now=now):
            done += 1
    return done


@transaction.atomic
def send_reminder(reminder: Reminder, *, now: datetime) -> bool:
    """Claim the reminder and queue its messages. False when another process had it."""
    claimed = Reminder.objects.filter(pk=reminder.pk, sent_at=None).update(sent_at=now)
    if not claimed:
        return False
    campaign = reminder.campaign
    recipients = non_readers(campaign)
    if not recipients:
        # Everyone read it: the reminder is spent without sending anything.
        return True
    original = campaign.mailing
    mailing = Mailing.objects.create(
        organisation=campaign.organisation,
        name=(_("Reminder: %(name)s") % {"name": campaign.name})[:200],
        kind=MailingKind.NOTICE,
        status=MailingStatus.SCHEDULED,
        link_template=original.link_template,
        unsubscribe_link=True,
        from_name=original.from_name,
        from_email=original.from_email,
        reply_to=original.reply_to,
        window_days=original.window_days,
        window_start=original.window_start,
        window_end=original.window_end,
        recipients_private=original.recipients_private,
        send_start=now,
        launched_at=now,
    )
    context = {
        "capsule": campaign.capsule,
        "organisation": campaign.organisation,
        "per_recipient_pixel": campaign.organisation.track_individual_opens,
    }
    with translation.override(campaign.organisation.language):
        variant = Variant.objects.create(
            mailing=mailing,
            key="A",
            subject=_("Reminder: %(title)s") % {"title": campaign.capsule.title},
            text_body=render_to_string("awareness/reminder.txt", context).strip(),
            html_body=render_to_string("awareness/reminder.html", context),
        )
    rng = random.Random()  # noqa: S311 - spreading send times, not a secret
    rng.shuffle(recipients)
    times = spread(
        window_of(mailing),
        len(recipients),
        start=now,
        end=None,
        rate_per_minute=profile_of(mailing.organisation_id).rate_per_minute,
        rng=rng,
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                mailing=mailing,
                organisation_id=mailing.organisation_id,
                person_id=person_id,
                variant=variant,
                channel=Channel.EMAIL,
                recipient=address,
                scheduled_at=moment,
                next_attempt_at=moment,
            )
            for (person_id, address), moment in zip(recipients, times, strict=True)
        ],
        batch_size=1000,
    )
    mailing_announce(mailing=mailing, deliveries=len(recipients))
    Reminder.objects.filter(pk=reminder.pk).update(mailing=mailing, recipients=len(recipients))
    audit_record(
        action="awareness.reminder_sent",
        actor=Actor.system(campaign.organisation),
        organisation=campaign.organisation,
        target=campaign,
        details={"reminder": reminder.number, "recipients": len(recipients)},
    )
    return True


def original_delivery(delivery: Delivery) -> Delivery | None:
    """The campaign delivery a reminder's message stands for (the same person's)."""
    reminder = Reminder.objects.filter(mailing_id=delivery.mailing_id).select_related("campaign")
    found = reminder.first()
    if found is None or delivery.person_id is None:
        return None
    return (
        Delivery.objects.select_related("mailing__organisation", "person")
        .filter(mailing_id=found.campaign.mailing_id, person_id=delivery.person_id, is_test=False)
        .order_by("pk")
        .first()
    )
