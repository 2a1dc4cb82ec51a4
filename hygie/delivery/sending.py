"""The sending loop run by workers: claim due deliveries under a lease, send, record.

Claiming is atomic: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, on SQLite by the
database's single writer (transactions start IMMEDIATE). A lease that expires
(its worker died) makes the delivery claimable again. Each message is marked
sent in its own statement right after the server accepted it: a crash can cost
at most the message in flight.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

import dkim
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from hygie.audience.models import Person
from hygie.delivery import attachments, greetings
from hygie.delivery.headers import headers_checked
from hygie.delivery.mime import CompiledMessage, Headers
from hygie.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingKind,
    MailingStatus,
    SendingProfile,
    SendQuota,
    Variant,
)
from hygie.delivery.placeholders import substitute
from hygie.delivery.providers import ProviderTransport
from hygie.delivery.sms import sms_backend
from hygie.delivery.transport import Outcome, Result, SmtpTransport
from hygie.delivery.unsubscribe_tokens import unsubscribe_token
from hygie.delivery.windows import Window
from hygie.lib import events
from hygie.lib.typography import french_html, french_text
from hygie.operations.loop import Backoff

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """1, 2, 4… minutes after each temporary failure, at most 6 hours, ±20 % jitter."""
    base = min(60 * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=base * (rng or random).uniform(0.8, 1.2))


class RelayPause:
    """This worker's pause while the relay is down (refused, 421, dropped connections).

    The batch in hand goes back to the queue without spending any attempt, and the
    worker claims nothing until the pause ends: 5 s, then 10, 20… up to 5 minutes,
    with jitter; the first message the relay accepts again ends the series.
    """

    def __init__(self) -> None:
        self.until = 0.0
        self.backoff = Backoff(first=5.0, most=300.0)

    @property
    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self) -> float:
        delay = self.backoff.next_delay()
        self.until = time.monotonic() + delay
        return delay

    def clear(self) -> None:
        self.until = 0.0
        self.backoff.reset()


RELAY = RelayPause()


def window_of(mailing: Mailing) -> Window:
    return Window(
        days=frozenset(mailing.window_days),
        start=mailing.window_start,
        end=mailing.window_end,
        zone=ZoneInfo(mailing.organisation.time_zone),
    )


def profile_of(organisation_id: int) -> SendingProfile:
    profile, _created = SendingProfile.objects.get_or_create(organisation_id=organisation_id)
    return profile


# --- Claiming ------------------------------------------------------------------


def _due(now: datetime) -> Q:
    scheduled = Q(status=DeliveryStatus.SCHEDULED, next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)
    return (scheduled | abandoned) & Q(mailing__status=MailingStatus.SCHEDULED)


def claim(worker_id: str, *, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Take up to `limit` due deliveries for this worker, within each organisation's rate."""
    now = now or timezone.now()
    limit = limit or settings.DELIVERY_BATCH_SIZE
    claimed: list[int] = []
    with transaction.atomic():
        organisations = list(
            Delivery.objects.filter(_due(now))
            .values_list("organisation_id", flat=True)
            .distinct()[:20]
        )
        for organisation_id in organisations:
            room = min(limit - len(claimed), _quota_room(organisation_id, now))
            if room <= 0:
                continue
            ids = list(
                Delivery.objects.filter(_due(now), organisation_id=organisation_id)
                .order_by("-mailing__priority", "next_attempt_at")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:room]
            )
            if not ids:
                continue
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING,
                lease_owner=worker_id,
                lease_expires_at=now + lease_duration(),
                attempts=F("attempts") + 1,
            )
            SendQuota.objects.filter(organisation_id=organisation_id).update(
                used=F("used") + len(ids)
            )
            claimed.extend(ids)
            if len(claimed) >= limit:
                break
    return claimed


def _quota_room(organisation_id: int, now: datetime) -> int:
    """How many more messages this organisation may send in the current minute."""
    minute = now.replace(second=0, microsecond=0)
    quota, _created = SendQuota.objects.select_for_update().get_or_create(
        organisation_id=organisation_id, defaults={"minute": minute}
    )
    if quota.minute != minute:
        quota.minute, quota.used = minute, 0
        quota.save(update_fields=["minute", "used"])
    rate = profile_of(organisation_id).rate_per_minute
    return max(rate - quota.used, 0)


# --- Building messages ---------------------------------------------------------


@lru_cache(maxsize=128)
def _compiled(variant_id: int, revision: str) -> CompiledMessage:
    variant = Variant.objects.select_related("mailing__organisation").get(pk=variant_id)
    mailing = variant.mailing
    organisation = mailing.organisation
    from_email = variant.from_email or sender_address(mailing)
    from_name = (
        variant.from_name or mailing.from_name or organisation.sender_name or organisation.name
    )
    extra: list[tuple[str, str]] = []
    identification = profile_of(organisation.pk).identification_header
    if ":" in identification:
        name, value = identification.split(":", 1)
        extra.append((name.strip(), value.strip()))
    subject, text_body, html_body = variant.subject, variant.text_body, variant.html_body
    if language_of(variant).startswith("fr"):
        # Once per variant (the result is cached): French typography and contractions.
        subject, text_body = french_text(subject), french_text(text_body)
        html_body = french_html(html_body)
    return CompiledMessage(
        headers=Headers(
            from_name=from_name,
            from_email=from_email,
            reply_to=mailing.reply_to or organisation.reply_to_email,
            extra=tuple(extra),
        ),
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        message_id_domain=from_email.rsplit("@", 1)[-1].strip(">").lower() or "localhost",
    )


def _revision(variant: Variant) -> str:
    return str(hash((variant.subject, variant.text_body, variant.html_body, variant.language)))


def language_of(variant: Variant) -> str:
    """The language a variant is written in: its own, or its organisation's."""
    return variant.language or variant.mailing.organisation.language


def recipient_values(delivery: Delivery, person: Person | None = None) -> dict[str, str]:
    """The placeholder values for one message; `person` stands in for test sends."""
    person = person or delivery.person
    mailing = delivery.mailing
    values = {
        "email": delivery.recipient,
        "organisation": mailing.organisation.brand_name or mailing.organisation.name,
        "link": personal_link(delivery),
        "unsubscribe_link": unsubscribe_url(delivery),
    }
    # The delivery's mailing is already loaded (the variant's may not be): no query per message.
    language = delivery.variant.language or mailing.organisation.language
    values.update(person_values(person, language=language))
    return values


def person_values(person: Person | None, *, language: str) -> dict[str, str]:
    """The values a person lends to a message, in the language the message is written in."""
    with translation.override(language):
        values = {"greeting": greetings.greeting_of(person)}
        if person is not None:
            values.update(
                first_name=person.first_name,
                last_name=person.last_name,
                civility=greetings.title_of(person),
                full_name=" ".join(p for p in (person.first_name, person.last_name) if p),
                practice=person.practice.name if person.practice_id and person.practice else "",
            )
    return values


def personal_link(delivery: Delivery) -> str:
    template = delivery.mailing.link_template
    if template:
        return template.replace("{token}", delivery.token)
    return settings.PUBLIC_BASE_URL + "/"


def unsubscribe_url(delivery: Delivery) -> str:
    # Its own token, not the delivery's: see hygie.delivery.unsubscribe_tokens.
    return _unsubscribe_prefix() + unsubscribe_token(delivery) + "/"


@lru_cache(maxsize=1)
def _unsubscribe_prefix() -> str:
    marker = "TOKEN"
    # The public site's address, whichever host's URLs are active (tracked links
    # show the message with its unsubscribe link).
    path = reverse("unsubscribe", args=[marker], urlconf=settings.ROOT_URLCONF)
    return settings.PUBLIC_BASE_URL + path.removesuffix(marker + "/")


def envelope_sender(delivery: Delivery, profile: SendingProfile, from_email: str) -> str:
    """The bounce address; with "bounces+@domain" each message gets its own (VERP)."""
    address = profile.return_path or from_email
    local, _, domain = address.partition("@")
    if local.endswith("+"):
        return f"{local}{delivery.token}@{domain}"
    return address


def render_email(
    delivery: Delivery,
    *,
    now: datetime,
    values: dict[str, str] | None = None,
    profile: SendingProfile | None = None,
) -> tuple[bytes, str]:
    """The message bytes and the Message-ID (without brackets).

    ValidationError when the mailing's or the delivery's own headers are not allowed
    (checked when stored, and here again: nothing reaches the wire unchecked)."""
    variant = delivery.variant
    own = headers_checked(delivery.mailing.headers) | headers_checked(delivery.headers)
    # Variants are frozen once their mailing is launched; test sends of a draft
    # pass a revision so that an edited draft is compiled afresh.
    compiled = _compiled(variant.pk, _revision(variant))
    extra: tuple[tuple[str, str], ...] = ()
    if delivery.mailing.unsubscribe_link and delivery.mailing.kind != MailingKind.SIMULATION:
        extra = (
            ("List-Unsubscribe", f"<{unsubscribe_url(delivery)}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
    extra += tuple(own.items())
    person = delivery.person
    values = values if values is not None else recipient_values(delivery)
    attachment = None
    if variant.attachment_html:
        content = attachments.render(variant.attachment_html, values, name=variant.attachment_name)
        attachment = (variant.attachment_name, content)
    data = compiled.render(
        values,
        to_email=delivery.recipient,
        to_name=person.display_name if person and person.email else "",
        message_id=delivery.token,
        date=now,
        extra_headers=extra,
        attachment=attachment,
    )
    profile = profile or profile_of(delivery.organisation_id)
    if profile.dkim_private_key and profile.dkim_domain and profile.dkim_selector:
        signature = dkim.sign(
            data,
            profile.dkim_selector.encode(),
            profile.dkim_domain.encode(),
            profile.dkim_private_key.encode(),
            include_headers=[
                b"from",
                b"to",
                b"subject",
                b"date",
                b"message-id",
                b"list-unsubscribe",
                b"list-unsubscribe-post",
                *(name.lower().encode() for name in own),
                b"mime-version",
                b"content-type",
            ],
        )
        data = signature + data
    return data, f"{delivery.token}@{compiled.domain}"


# --- Sending -------------------------------------------------------------------


def _record(
    delivery: Delivery, worker_id: str, result: Result, now: datetime, *, message_id: str = ""
) -> None:
    if result.outcome == Outcome.SENT:
        # The hot path: one prepared statement, committed at once, per message.
        with connection.cursor() as cursor:
            cursor.execute(
                _MARK_SENT,
                [
                    DeliveryStatus.SENT.value,
                    connection.ops.adapt_datetimefield_value(now),
                    message_id,
                    delivery.pk,
                    worker_id,
                ],
            )
            matched = cursor.rowcount
        if not matched:
            # Taken just before the send, so only a send longer than the whole lease gets
            # here: the row is someone else's now and may be sent again. Say so.
            logger.warning(
                "delivery sent after its lease was lost",
                extra={"delivery": delivery.pk, "worker": worker_id},
            )
        return
    mine = Delivery.objects.filter(pk=delivery.pk, lease_owner=worker_id)
    retry = result.outcome in (Outcome.TEMPORARY, Outcome.UNAVAILABLE)
    if retry and delivery.attempts < MAX_ATTEMPTS:
        retry_at = window_of(delivery.mailing).next_open(now + backoff(delivery.attempts))
        matched = mine.update(
            status=DeliveryStatus.SCHEDULED,
            next_attempt_at=retry_at,
            last_error=result.detail,
            lease_owner="",
            lease_expires_at=None,
        )
    else:
        matched = mine.update(
            status=DeliveryStatus.FAILED,
            last_error=result.detail,
            lease_owner="",
            lease_expires_at=None,
        )
        logger.warning("delivery failed", extra={"delivery": delivery.pk, "reason": result.detail})
    if not matched:
        logger.warning(
            "delivery outcome not recorded: its lease was lost",
            extra={"delivery": delivery.pk, "worker": worker_id, "outcome": result.outcome},
        )


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, message_id = %s,"  # noqa: S608
    " last_error = '', lease_owner = '', lease_expires_at = NULL"
    " WHERE id = %s AND lease_owner = %s"
)

# Taking one claimed row right before its send: it must still be this worker's
# (an expired lease may have been claimed by another worker meanwhile), and its
# lease starts again, so that nobody else takes it while it is on the wire.
_TAKE = (
    f"UPDATE {Delivery._meta.db_table} SET lease_expires_at = %s"  # noqa: S608
    " WHERE id = %s AND lease_owner = %s AND status = %s"
)


def _take(delivery: Delivery, worker_id: str, now: datetime) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE,
            [
                connection.ops.adapt_datetimefield_value(now + lease_duration()),
                delivery.pk,
                worker_id,
                DeliveryStatus.SENDING.value,
            ],
        )
        return bool(cursor.rowcount)


class BatchLease:
    """Keeps a batch's lease alive while it is being sent.

    A slow relay (greylisting, a provider's throttling) can make a batch outlast its
    lease; once half of it is used, the rows still waiting get a new lease, so that
    no other worker claims them in the meantime.
    """

    def __init__(self, worker_id: str, ids: Iterable[int], now: datetime) -> None:
        self.worker_id = worker_id
        self.waiting = set(ids)
        self.renewed_at = now

    def keep(self, now: datetime) -> set[int]:
        """Renew if due; returns the ids this worker still holds."""
        if now - self.renewed_at >= lease_duration() / 2 and self.waiting:
            still_mine = Delivery.objects.filter(
                pk__in=self.waiting, lease_owner=self.worker_id, status=DeliveryStatus.SENDING
            )
            held = set(still_mine.values_list("pk", flat=True))
            still_mine.filter(pk__in=held).update(lease_expires_at=now + lease_duration())
            lost = self.waiting - held
            if lost:
                logger.warning(
                    "claimed deliveries lost before their send",
                    extra={"worker": self.worker_id, "lost": len(lost)},
                )
            self.waiting = held
            self.renewed_at = now
        return self.waiting

    def done(self, pk: int) -> None:
        self.waiting.discard(pk)


def _release(delivery: Delivery, worker_id: str, *, at: datetime) -> None:
    """Give a claimed delivery back without counting the attempt."""
    Delivery.objects.filter(pk=delivery.pk, lease_owner=worker_id).update(
        status=DeliveryStatus.SCHEDULED,
        next_attempt_at=at,
        attempts=F("attempts") - 1,
        lease_owner="",
        lease_expires_at=None,
    )


def _give_back(ids: Iterable[int], worker_id: str, *, now: datetime, detail: str) -> None:
    """The relay is down: this batch's rows wait for the pause to end, and the attempt
    their claim counted is given back (only a message's own failures count)."""
    retry_at = now + timedelta(seconds=max(RELAY.until - time.monotonic(), 1.0))
    given_back = Delivery.objects.filter(
        pk__in=list(ids), lease_owner=worker_id, status=DeliveryStatus.SENDING
    ).update(
        status=DeliveryStatus.SCHEDULED,
        next_attempt_at=retry_at,
        attempts=F("attempts") - 1,
        last_error=detail,
        lease_owner="",
        lease_expires_at=None,
    )
    logger.warning(
        "relay unavailable, batch put back",
        extra={"worker": worker_id, "deliveries": given_back, "reason": detail},
    )


def send_claimed(ids: Iterable[int], worker_id: str, *, stand_in: Person | None = None) -> int:
    """Send the claimed deliveries. `stand_in` lends its name to a test send.

    Each row is taken (still ours? lease renewed) right before its send, and the
    rows still waiting are renewed while the batch goes on: a row whose lease was
    lost to another worker is skipped, never sent twice by a healthy worker."""
    deliveries = list(
        Delivery.objects.filter(pk__in=list(ids), lease_owner=worker_id)
        .select_related("mailing__organisation", "variant", "person__practice")
        .order_by("next_attempt_at")
    )
    lease = BatchLease(worker_id, (d.pk for d in deliveries), timezone.now())
    sent = 0
    sms = None
    profiles: dict[int, SendingProfile] = {}
    with email_transport() as smtp:
        for delivery in deliveries:
            now = timezone.now()
            if delivery.pk not in lease.keep(now):
                continue
            lease.done(delivery.pk)
            mailing = delivery.mailing
            window = window_of(mailing)
            if not delivery.is_test and not window.is_open(now):
                _release(delivery, worker_id, at=window.next_open(now))
                continue
            if not _take(delivery, worker_id, now):
                logger.warning(
                    "claimed delivery lost before its send",
                    extra={"delivery": delivery.pk, "worker": worker_id},
                )
                continue
            if delivery.channel == Channel.SMS:
                sms = sms or sms_backend()
                text = substitute(delivery.variant.sms_body, recipient_values(delivery, stand_in))
                result = sms.send(to=delivery.recipient, text=text, reference=delivery.token)
                _record(delivery, worker_id, result, now, message_id=delivery.token)
            else:
                if delivery.organisation_id not in profiles:
                    profiles[delivery.organisation_id] = profile_of(delivery.organisation_id)
                profile = profiles[delivery.organisation_id]
                try:
                    data, message_id = render_email(
                        delivery,
                        now=now,
                        values=recipient_values(delivery, stand_in),
                        profile=profile,
                    )
                except ValidationError:
                    # Headers that escaped their checks: this message is never sent.
                    result = Result(Outcome.PERMANENT, "extra headers refused")
                    _record(delivery, worker_id, result, now)
                    continue
                sender = envelope_sender(
                    delivery, profile, delivery.variant.from_email or sender_address(mailing)
                )
                result = smtp.send(envelope_from=sender, to=delivery.recipient, data=data)
                if result.outcome == Outcome.UNAVAILABLE and not delivery.is_test:
                    RELAY.start()
                    _give_back(
                        {delivery.pk, *lease.waiting}, worker_id, now=now, detail=result.detail
                    )
                    break
                _record(delivery, worker_id, result, now, message_id=message_id)
            if result.outcome == Outcome.SENT:
                sent += 1
                RELAY.clear()
    return sent


def email_transport() -> SmtpTransport | ProviderTransport:
    """The configured way out: an email provider's API, or SMTP (the default)."""
    if settings.MAIL_PROVIDER_BACKEND:
        return ProviderTransport(settings.MAIL_PROVIDER_BACKEND)
    return SmtpTransport()


def sender_address(mailing: Mailing) -> str:
    """The bare From address of a mailing (DEFAULT_FROM_EMAIL may carry a name)."""
    address = mailing.from_email or mailing.organisation.sender_email or settings.DEFAULT_FROM_EMAIL
    return parseaddr(address)[1] or address


def send_due(worker_id: str) -> int:
    """One worker step: claim a batch and send it. Returns how many were handled."""
    if RELAY.active:
        return 0  # the relay is down: leave the queue alone until the pause ends
    ids = claim(worker_id)
    if not ids:
        return 0
    send_claimed(ids, worker_id)
    return len(ids)


def complete_finished_mailings() -> int:
    """Scheduler step: a launched mailing with nothing left to send is completed."""
    open_work = Delivery.objects.filter(
        mailing=OuterRef("pk"),
        status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING],
    )
    with transaction.atomic():
        # Locked, so that a mailing completed by two schedulers at once is announced once.
        done = list(
            Mailing.objects.select_for_update()
            .filter(status=MailingStatus.SCHEDULED)
            .exclude(Exists(open_work))
            .values_list("pk", "organisation_id", "kind")
        )
        if not done:
            return 0
        Mailing.objects.filter(pk__in=[pk for pk, _, _ in done]).update(
            status=MailingStatus.COMPLETED, completed_at=timezone.now()
        )
        for pk, organisation_id, kind in done:
            events.publish(
                events.CAMPAIGN_FINISHED, organisation_id=organisation_id, mailing_id=pk, kind=kind
            )
    return len(done)
