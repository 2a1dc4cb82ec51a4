from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from hygie.accounts.models import Organisation
from hygie.audience.models import Person, PersonStatus, Profession
from hygie.audience.selectors import segment_people, segment_people_any_status
from hygie.delivery import attachments, placeholders
from hygie.delivery.models import Channel, Delivery, DeliveryStatus, Mailing, Variant
from hygie.delivery.placeholders import NAMES, PLACEHOLDER
from hygie.delivery.previews import PLACEHOLDER_LABELS
from hygie.delivery.sending import profile_of, window_of
from hygie.delivery.windows import WEEKDAYS, Window, spread
from hygie.lib.emails import DkimKey, build_email


def mailings(organisation: Organisation) -> QuerySet[Mailing]:
    return Mailing.objects.filter(organisation=organisation).select_related("segment")


def progress(mailing: Mailing) -> dict[str, int]:
    counts = dict(
        Delivery.objects.filter(mailing=mailing, is_test=False)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    result = {status.value: counts.get(status.value, 0) for status in DeliveryStatus}
    result["total"] = sum(counts.values())
    done = result["sent"] + result["failed"] + result["bounced"] + result["cancelled"]
    result["percent_done"] = int(100 * done / result["total"]) if result["total"] else 0
    return result


def failed_deliveries(mailing: Mailing) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(
            mailing=mailing, status__in=[DeliveryStatus.FAILED, DeliveryStatus.BOUNCED]
        )
        .select_related("person")
        .order_by("recipient")
    )


def next_sends(mailing: Mailing) -> QuerySet[Delivery]:
    return Delivery.objects.filter(mailing=mailing, status=DeliveryStatus.SCHEDULED).order_by(
        "next_attempt_at"
    )


# --- Who will receive it, and what the message will say to them ---------------

# What a person lacks when a placeholder has nothing to show for them.
_LACKING: dict[str, Q] = {
    "first_name": Q(first_name=""),
    "last_name": Q(last_name=""),
    "full_name": Q(first_name="", last_name=""),
    "civility": Q(civility="") & ~Q(profession=Profession.DOCTOR),
    "practice": Q(practice__isnull=True),
    # The greeting falls back to a plain "Bonjour," with no title and no full name.
    "greeting": Q(civility="")
    & ~Q(profession=Profession.DOCTOR)
    & (Q(first_name="") | Q(last_name="")),
}


def fields_used(mailing: Mailing) -> list[str]:
    """The person fields that the mailing's messages put in their text, in a fixed order."""
    names: set[str] = set()
    for variant in mailing.variants.all():
        for text in (variant.subject, variant.text_body, variant.html_body, variant.sms_body):
            names.update(
                NAMES[m.group(1)] for m in PLACEHOLDER.finditer(text) if m.group(1) in NAMES
            )
    return [name for name in _LACKING if name in names]


def recipients(mailing: Mailing) -> QuerySet[Person]:
    """The people a launch would reach now (empty without a segment)."""
    if mailing.segment is None:
        return Person.objects.none()
    people = segment_people(mailing.segment).filter(status=PersonStatus.ACTIVE)
    if mailing.channel == Channel.SMS:
        return people.exclude(mobile_phone="")
    return people.exclude(email=None).exclude(email="")


def lacking_counts(mailing: Mailing) -> list[tuple[str, int]]:
    """For each person field the message uses, how many recipients lack it (only those
    some lack)."""
    used = fields_used(mailing)
    if not used:
        return []
    people = recipients(mailing)
    counts = people.aggregate(**{name: Count("pk", filter=_LACKING[name]) for name in used})
    return [(name, counts[name]) for name in used if counts[name]]


def sample_recipients(mailing: Mailing, *, size: int = 3) -> list[Person]:
    """A few real recipients to preview the message for: the one who lacks the most of
    what the message uses first, then the first others."""
    people = recipients(mailing).select_related("practice")
    used = fields_used(mailing) or ["greeting"]
    lack = sum(
        (Case(When(_LACKING[name], then=Value(1)), default=Value(0)) for name in used),
        Value(0),
    )
    worst = people.annotate(lack=lack).order_by("-lack", "pk").first()
    if worst is None:
        return []
    others = list(people.exclude(pk=worst.pk).order_by("pk")[: size - 1])
    return [worst, *others]


# --- What a launch would do ------------------------------------------------------


@dataclass(frozen=True)
class LaunchForecast:
    recipients: int
    unsubscribed: int
    bounced: int
    no_address: int
    first_send: datetime | None
    last_send: datetime | None
    # Launched now, outside the window: the first message waits for it to open.
    waits_for_window: bool
    window: Window
    window_opens: datetime | None = None

    @property
    def excluded(self) -> int:
        return self.unsubscribed + self.bounced + self.no_address

    @property
    def day_labels(self) -> list[str]:
        """The window's days, by name, Monday first."""
        return [str(label) for day, label in WEEKDAYS if day in self.window.days]


def lacking_labelled(mailing: Mailing) -> list[tuple[str, int]]:
    """`lacking_counts` with each field's name as staff read it."""
    return [
        (str(PLACEHOLDER_LABELS.get(name, name)), count) for name, count in lacking_counts(mailing)
    ]


def launch_forecast(mailing: Mailing, *, now: datetime) -> LaunchForecast:
    """Who a launch now would reach, who it leaves out and why, and when the messages
    would leave (computed as the launch computes them)."""
    window = window_of(mailing)
    segment = (
        Person.objects.none()
        if mailing.segment is None
        else segment_people_any_status(mailing.segment)
    )
    address = Q(mobile_phone="") if mailing.channel == Channel.SMS else Q(email=None) | Q(email="")
    counts = segment.aggregate(
        unsubscribed=Count("pk", filter=Q(status=PersonStatus.UNSUBSCRIBED)),
        bounced=Count("pk", filter=Q(status=PersonStatus.BOUNCED)),
        no_address=Count("pk", filter=Q(status=PersonStatus.ACTIVE) & address),
    )
    count = recipients(mailing).count()
    start = max(mailing.send_start or now, now)
    first = last = None
    if count:
        try:
            times = spread(
                window,
                count,
                start=start,
                end=mailing.send_end,
                rate_per_minute=profile_of(mailing.organisation_id).rate_per_minute,
                rng=random.Random(0),  # noqa: S311 - a forecast, not a secret
            )
        except ValueError:
            times = []
        if times:
            first, last = times[0], times[-1]
    try:
        opens: datetime | None = window.next_open(start)
    except ValueError:
        opens = None
    return LaunchForecast(
        window_opens=opens,
        recipients=count,
        first_send=first,
        last_send=last,
        waits_for_window=not window.is_open(start),
        window=window,
        **counts,
    )


def check_content(variant: Variant, channel: str) -> None:
    """Raise ValidationError naming each field with a bad placeholder or missing content."""
    errors: dict[str, str] = {}
    fields = ("sms_body",) if channel == Channel.SMS else ("subject", "text_body", "html_body")
    for field in fields:
        try:
            placeholders.check(getattr(variant, field))
        except ValueError as exc:
            errors[field] = str(exc)
    if channel == Channel.EMAIL and not variant.subject.strip():
        errors.setdefault("subject", _("A subject is required."))
    if channel == Channel.EMAIL and not variant.text_body.strip():
        errors.setdefault("text_body", _("A text version is required (some readers show only it)."))
    if channel == Channel.SMS and not variant.sms_body.strip():
        errors.setdefault("sms_body", _("The SMS text is empty."))
    if channel == Channel.EMAIL:
        errors.update(attachments.problems(variant.attachment_name, variant.attachment_html))
    if errors:
        raise ValidationError(errors)


# --- Messages to one practitioner, in the organisation's name ------------------


def organisation_sender(organisation: Organisation) -> str:
    """The From header of what a practitioner receives: the organisation's name and an
    address of its domain, never the platform's."""
    profile = profile_of(organisation.pk)
    address = organisation.sender_email
    if not address and profile.dkim_domain:
        address = f"ne-pas-repondre@{profile.dkim_domain}"
    address = address or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    # Kept readable (not RFC 2047-encoded here): the mail library encodes it on sending.
    return str(
        Address(
            display_name=organisation.sender_name or organisation.public_name, addr_spec=address
        )
    )


def organisation_email(
    name: str,
    *,
    organisation: Organisation,
    to: list[str],
    context: dict[str, Any],
    language: str,
) -> EmailMultiAlternatives:
    """A transactional message (sign-in link, answer to a report…) to a practitioner,
    from the organisation: its name and address, its Reply-To, signed with its DKIM key."""
    profile = profile_of(organisation.pk)
    key = None
    if profile.dkim_private_key and profile.dkim_domain and profile.dkim_selector:
        key = DkimKey(
            domain=profile.dkim_domain,
            selector=profile.dkim_selector,
            private_key=profile.dkim_private_key,
        )
    return build_email(
        name,
        to=to,
        context=context,
        language=language,
        from_email=organisation_sender(organisation),
        reply_to=[organisation.reply_to_email] if organisation.reply_to_email else None,
        dkim_key=key,
    )
