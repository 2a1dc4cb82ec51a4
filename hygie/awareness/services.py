"""Creating awareness campaigns and recording what readers do on the capsule page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.awareness.models import AwarenessCampaign, EventKind, QuizAttempt, ReadingEvent
from hygie.delivery.models import Delivery, Mailing, MailingKind, Variant
from hygie.lib.robots import automated_reason
from hygie.library.models import Capsule


def capsule_link_template() -> str:
    marker = "TOKEN"
    path = reverse("awareness:capsule", args=[marker]).replace(marker, "{token}")
    return settings.PUBLIC_BASE_URL + path


@transaction.atomic
def campaign_create(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    capsule: Capsule,
    segment: Segment,
    request: HttpRequest | None = None,
) -> AwarenessCampaign:
    """A draft campaign: its mailing carries a short email that leads to the capsule."""
    if capsule.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This capsule belongs to another organisation."))
    mailing = Mailing.objects.create(
        organisation=organisation,
        name=name,
        kind=MailingKind.AWARENESS,
        segment=segment,
        link_template=capsule_link_template(),
        unsubscribe_link=True,
        created_by=actor,
    )
    context = {"capsule": capsule, "organisation": organisation}
    with translation.override(organisation.language):
        Variant.objects.create(
            mailing=mailing,
            key="A",
            subject=capsule.title,
            text_body=render_to_string("awareness/email.txt", context).strip(),
            html_body=render_to_string("awareness/email.html", context),
        )
    campaign = AwarenessCampaign.objects.create(
        organisation=organisation,
        name=name,
        capsule=capsule,
        segment=segment,
        mailing=mailing,
        created_by=actor,
    )
    audit_record(
        action="awareness.created",
        actor=actor,
        organisation=organisation,
        target=campaign,
        details={"capsule": f"{capsule.slug} v{capsule.version}"},
        request=request,
    )
    return campaign


def record_view(*, delivery: Delivery, request: HttpRequest) -> ReadingEvent:
    reason = automated_reason(request)
    return ReadingEvent.objects.create(
        delivery=delivery,
        kind=EventKind.PAGE_VIEWED,
        automated=bool(reason),
        automated_reason=reason,
    )


def score(capsule: Capsule, answers: list[int]) -> int:
    return sum(
        1
        for question, chosen in zip(capsule.quiz, answers, strict=True)
        if question["choices"][chosen].get("correct") is True
    )


@transaction.atomic
def submit_quiz(
    *, delivery: Delivery, capsule: Capsule, answers: list[int], request: HttpRequest
) -> QuizAttempt:
    if len(answers) != len(capsule.quiz) or any(
        not 0 <= a < len(q["choices"]) for a, q in zip(answers, capsule.quiz, strict=False)
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
        score=score(capsule, answers),
        total=len(capsule.quiz),
        reading_seconds=int((now - first_view).total_seconds()) if first_view else None,
        completed_at=now,
    )
    reason = automated_reason(request)
    ReadingEvent.objects.create(
        delivery=delivery,
        kind=EventKind.QUIZ_COMPLETED,
        at=now,
        automated=bool(reason),
        automated_reason=reason,
    )
    return attempt
