"""Writes on mailings: drafting, launching (set-based creation of deliveries), pausing,
retrying, test sends, bounces."""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.audience.models import Person, PersonStatus
from hygie.audience.selectors import segment_people
from hygie.audience.services import person_mark_bounced
from hygie.audience.values import InvalidValue, clean_mobile_phone
from hygie.delivery import selectors
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingStatus,
    Priority,
    SendingProfile,
    Variant,
)
from hygie.delivery.sending import profile_of, send_claimed, window_of
from hygie.delivery.windows import spread
from hygie.lib import events
from hygie.lib.bulk import insert_rows

# The code of the error a launch raises when nobody can receive the mailing.
NO_RECIPIENTS = "no_recipients"

# Person ids: a list, or a query of ids (read by the database as a sub-query, so that
# tens of thousands of ids never become as many SQL parameters).
type PersonIds = Collection[int] | QuerySet[Any, int]


@transaction.atomic
def mailing_save(
    *,
    organisation: Organisation,
    actor: Actor,
    fields: dict[str, object],
    content: dict[str, str],
    mailing: Mailing | None = None,
) -> Mailing:
    if mailing is not None and mailing.status != MailingStatus.DRAFT:
        raise ValidationError(_("A launched mailing can no longer be edited."))
    is_new = mailing is None
    mailing = mailing or Mailing(organisation=organisation, created_by=actor.user)
    for name, value in fields.items():
        setattr(mailing, name, value)
    mailing.full_clean(exclude=["organisation", "created_by"])
    variant = Variant(key="A") if is_new else mailing.variants.first() or Variant(key="A")
    for name, value in content.items():
        setattr(variant, name, value)
    selectors.check_content(variant, mailing.channel)
    mailing.save()
    variant.mailing = mailing
    variant.save()
    audit_record(
        action="mailing.created" if is_new else "mailing.updated",
        actor=actor,
        organisation=organisation,
        target=mailing,
    )
    return mailing


def _recipients(mailing: Mailing, only: PersonIds | None) -> list[tuple[int, str]]:
    if only is not None:
        people = Person.objects.filter(organisation=mailing.organisation_id, pk__in=only)
    elif mailing.segment is None:
        raise ValidationError(_("Choose the segment to send to."))
    else:
        people = segment_people(mailing.segment)
    people = people.filter(status=PersonStatus.ACTIVE)
    if mailing.channel == Channel.SMS:
        return [
            (pk, phone)
            for pk, phone in people.exclude(mobile_phone="").values_list("pk", "mobile_phone")
        ]
    return [
        (pk, email) for pk, email in people.exclude(email=None).values_list("pk", "email") if email
    ]


@transaction.atomic
def mailing_launch(
    *,
    mailing: Mailing,
    actor: Actor,
    now: datetime | None = None,
    seed: int | None = None,
    people: PersonIds | None = None,
    balanced: bool = False,
) -> int:
    """Create every delivery of the mailing in one set-based insert. Returns their number.

    Sent to the mailing's segment, or to `people` (ids of the organisation's persons)
    when given; in both cases only to those who can receive it. Each recipient gets a
    variant drawn by weight, or with `balanced` the variants in equal shares (an A/B
    test: a difference between arms must not come from their sizes).
    """
    now = now or timezone.now()
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status != MailingStatus.DRAFT:
        raise ValidationError(_("This mailing was already launched."))
    variants = list(mailing.variants.all())
    if not variants:
        raise ValidationError(_("The mailing has no content."))
    for variant in variants:
        selectors.check_content(variant, mailing.channel)
    recipients = _recipients(mailing, people)
    if not recipients:
        raise ValidationError(_("Nobody in this segment can receive it."), code=NO_RECIPIENTS)
    rng = random.Random(seed)  # noqa: S311 - spreading send times, not a secret
    rng.shuffle(recipients)  # no alphabetical waves
    start = max(mailing.send_start or now, now)
    try:
        times = spread(
            window_of(mailing),
            len(recipients),
            start=start,
            end=mailing.send_end,
            rate_per_minute=profile_of(mailing.organisation_id).rate_per_minute,
            rng=rng,
            urgent=mailing.priority > Priority.NORMAL,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if balanced:  # the recipients are shuffled: dealing in turn is a random equal split
        chosen = [variants[n % len(variants)] for n in range(len(recipients))]
    else:
        chosen = rng.choices(variants, weights=[v.weight for v in variants], k=len(recipients))
    _insert_deliveries(mailing, recipients, times, chosen)
    Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SCHEDULED, launched_at=now)
    mailing.refresh_from_db()
    audit_record(
        action="mailing.launched",
        actor=actor,
        organisation=mailing.organisation,
        target=mailing,
        details={"deliveries": len(recipients)},
    )
    mailing_announce(mailing=mailing, deliveries=len(recipients))
    return len(recipients)


def mailing_announce(*, mailing: Mailing, deliveries: int) -> None:
    """Publish that `mailing` was launched with `deliveries` messages queued.

    Every campaign (awareness, simulation, notice or alert) is sent by one mailing:
    announcing it when its deliveries are queued gives each mailing exactly one
    launched event, whichever app queued them, before the finished event the
    workers publish once it has nothing left to send. Call it in the transaction
    that queues the deliveries."""
    events.publish(
        events.CAMPAIGN_LAUNCHED,
        organisation_id=mailing.organisation_id,
        mailing_id=mailing.pk,
        kind=mailing.kind,
        deliveries=deliveries,
    )


def _insert_deliveries(
    mailing: Mailing,
    recipients: list[tuple[int, str]],
    times: list[datetime],
    variants: list[Variant],
) -> None:
    """All deliveries in one prepared statement (see hygie.lib.bulk)."""
    ops = connection.ops
    columns = (
        "mailing_id",
        "organisation_id",
        "person_id",
        "variant_id",
        "channel",
        "recipient",
        "token",
        "status",
        "scheduled_at",
        "next_attempt_at",
        "attempts",
        "lease_owner",
        "message_id",
        "last_error",
        "is_test",
        "headers",
    )
    no_headers = Delivery._meta.get_field("headers").get_db_prep_value({}, connection)
    rows = []
    for (person_id, address), moment, variant in zip(recipients, times, variants, strict=True):
        at = ops.adapt_datetimefield_value(moment)
        rows.append(
            (
                mailing.pk,
                mailing.organisation_id,
                person_id,
                variant.pk,
                mailing.channel,
                address,
                secrets.token_urlsafe(20),
                DeliveryStatus.SCHEDULED.value,
                at,
                at,
                0,
                "",
                "",
                "",
                False,
                no_headers,
            )
        )
    insert_rows(Delivery, columns, rows)


def _set_status(
    mailing: Mailing,
    status: str,
    *,
    allowed: set[str],
    actor: Actor,
    action: str,
) -> None:
    updated = Mailing.objects.filter(pk=mailing.pk, status__in=allowed).update(status=status)
    if not updated:
        raise ValidationError(_("This action is not possible in the mailing's current state."))
    mailing.refresh_from_db()
    audit_record(
        action=action,
        actor=actor,
        organisation=mailing.organisation,
        target=mailing,
    )


def mailing_pause(*, mailing: Mailing, actor: Actor) -> None:
    _set_status(
        mailing,
        MailingStatus.PAUSED,
        allowed={MailingStatus.SCHEDULED},
        actor=actor,
        action="mailing.paused",
    )


def mailing_resume(*, mailing: Mailing, actor: Actor) -> None:
    _set_status(
        mailing,
        MailingStatus.SCHEDULED,
        allowed={MailingStatus.PAUSED},
        actor=actor,
        action="mailing.resumed",
    )


@transaction.atomic
def mailing_cancel(*, mailing: Mailing, actor: Actor) -> None:
    _set_status(
        mailing,
        MailingStatus.CANCELLED,
        allowed={MailingStatus.SCHEDULED, MailingStatus.PAUSED, MailingStatus.DRAFT},
        actor=actor,
        action="mailing.cancelled",
    )
    mailing.deliveries.filter(status=DeliveryStatus.SCHEDULED).update(
        status=DeliveryStatus.CANCELLED
    )


@transaction.atomic
def mailing_reschedule(
    *,
    mailing: Mailing,
    actor: Actor,
    window_days: list[int],
    window_start: time,
    window_end: time,
    send_end: datetime | None,
    now: datetime | None = None,
) -> int:
    """Change a paused mailing's window and pace; the messages not yet sent are spread
    again over the new window. Returns how many were rescheduled."""
    now = now or timezone.now()
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status != MailingStatus.PAUSED:
        raise ValidationError(_("Pause the mailing before changing its window or pace."))
    if send_end is not None and send_end <= now:
        raise ValidationError({"send_end": _("The end of sending must be in the future.")})
    locked.window_days, locked.window_start, locked.window_end = (
        window_days,
        window_start,
        window_end,
    )
    locked.send_end = send_end
    locked.full_clean(exclude=["organisation", "created_by", "segment"])
    pending = list(
        locked.deliveries.filter(status=DeliveryStatus.SCHEDULED, is_test=False)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )
    try:
        times = spread(
            window_of(locked),
            len(pending),
            start=now,
            end=send_end,
            rate_per_minute=profile_of(locked.organisation_id).rate_per_minute,
            rng=random.Random(),  # noqa: S311 - spreading send times, not a secret
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    locked.save(update_fields=["window_days", "window_start", "window_end", "send_end"])
    for pk, moment in zip(pending, times, strict=True):
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.SCHEDULED).update(
            next_attempt_at=moment, scheduled_at=moment
        )
    mailing.refresh_from_db()
    audit_record(
        action="mailing.rescheduled",
        actor=actor,
        organisation=mailing.organisation,
        target=mailing,
        details={"deliveries": len(pending)},
    )
    return len(pending)


@transaction.atomic
def mailing_retry_failed(*, mailing: Mailing, actor: Actor) -> int:
    """Put failed messages back in the queue (after fixing what made them fail)."""
    count = mailing.deliveries.filter(status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.SCHEDULED, next_attempt_at=timezone.now(), attempts=0
    )
    if count and mailing.status == MailingStatus.COMPLETED:
        Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SCHEDULED)
    audit_record(
        action="mailing.retried",
        actor=actor,
        organisation=mailing.organisation,
        target=mailing,
        details={"deliveries": count},
    )
    return count


def mailing_send_test(
    *,
    mailing: Mailing,
    actor: Actor,
    variant: Variant | None = None,
    phone: str = "",
    as_person: Person | None = None,
) -> Delivery:
    """Send one message of the mailing to the staff member, now, outside the window: to
    their own address, or for an SMS mailing to the mobile number they give.

    The message is written as `as_person` (one of the organisation's people) would
    receive it; by default as the recipient who lacks the most of what it uses, so that
    staff see the worst case rather than a tidy example."""
    variant = variant or mailing.variants.first()
    if variant is None:
        raise ValidationError(_("The mailing has no content."))
    staff = actor.require_user()
    selectors.check_content(variant, mailing.channel)
    channel, recipient = Channel.EMAIL, staff.email
    if mailing.channel == Channel.SMS:
        if not phone.strip():
            raise ValidationError(_("Give the mobile number the test SMS should go to."))
        try:
            channel, recipient = Channel.SMS, clean_mobile_phone(phone)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from None
    now = timezone.now()
    if as_person is not None and as_person.organisation_id != mailing.organisation_id:
        raise ValidationError(_("This person is not one of your organisation's."))
    samples = [] if as_person is not None else selectors.sample_recipients(mailing, size=1)
    sample = as_person or (samples[0] if samples else None)
    if sample is None:
        sample = Person(
            organisation=mailing.organisation,
            first_name=staff.first_name or "Camille",
            last_name=staff.last_name or "Exemple",
            email=staff.email,
            mobile_phone=recipient if channel == Channel.SMS else "",
        )
    worker_id = f"test:{secrets.token_hex(4)}"
    delivery = Delivery.objects.create(
        mailing=mailing,
        organisation=mailing.organisation,
        person=None,
        variant=variant,
        channel=channel,
        recipient=recipient,
        scheduled_at=now,
        next_attempt_at=now,
        status=DeliveryStatus.SENDING,
        lease_owner=worker_id,
        attempts=1,
        is_test=True,
    )
    send_claimed([delivery.pk], worker_id, stand_in=sample)
    delivery.refresh_from_db()
    return delivery


# --- Sending profile -----------------------------------------------------------

SECRET_SETTINGS = frozenset({"dkim_private_key"})


@transaction.atomic
def sending_profile_update(
    *,
    organisation: Organisation,
    actor: Actor,
    values: dict[str, Any],
) -> SendingProfile:
    """Save the organisation's sending settings (values checked by the form) and record
    what changed; a secret is recorded as changed, never with its value."""
    profile_of(organisation.pk)  # exists from now on
    profile = SendingProfile.objects.select_for_update().get(organisation=organisation)
    changed: dict[str, object] = {}
    for field, value in values.items():
        before = getattr(profile, field)
        if before == value:
            continue
        setattr(profile, field, value)
        changed[field] = "changed" if field in SECRET_SETTINGS else {"from": before, "to": value}
    if changed:
        profile.full_clean()
        profile.save(update_fields=list(changed))
        audit_record(
            action="sending.settings_changed",
            actor=actor,
            organisation=organisation,
            target=profile,
            details={"changed": changed},
        )
    return profile


# --- Bounces -------------------------------------------------------------------


@transaction.atomic
def delivery_record_bounce(*, delivery: Delivery, reason: str) -> None:
    """An asynchronous bounce (DSN): mark the message and suppress the address."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.BOUNCED, last_error=reason[:500]
    )
    person_mark_bounced(organisation=delivery.organisation, email=delivery.recipient)


__all__ = ["settings"]
