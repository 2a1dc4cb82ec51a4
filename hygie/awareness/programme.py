"""The annual programme: which theme on which date, and drafting campaigns ahead.

Dates are `start_date + k × every_weeks` weeks. `lead_days` before each date, the
scheduler creates the campaign as a draft (or launches it for the date when the
organisation chose automatic sending) and tells the managers. A step is unique per
(programme, date), and its row is inserted before anything else in the same
transaction: a second scheduler's insert fails and it creates nothing.

Themes come either from the planned order or, automatically, from the themes not
covered for the longest time. Other apps may refine the automatic order (for
example with the weakest themes in the data) by appending to THEME_RANKERS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Membership, Organisation
from hygie.accounts.roles import ROLE_PERMISSIONS, Permission
from hygie.awareness.models import (
    AwarenessCampaign,
    Programme,
    ProgrammeStep,
    StepStatus,
    ThemeMode,
)
from hygie.awareness.services import campaign_change_capsule, campaign_create
from hygie.delivery.models import MailingStatus
from hygie.delivery.services import mailing_cancel, mailing_launch
from hygie.lib.emails import absolute_url, send_email_on_commit
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules
from hygie.library.themes import THEMES

logger = logging.getLogger(__name__)

# A ranker receives the organisation and the candidate theme keys, least recently
# covered first, and returns them in the order it prefers (best first). Rankers run
# in turn; a theme a ranker leaves out keeps its place after the ones it returned,
# and keys that are not candidates are ignored. The analytics app registers one.
ThemeRanker = Callable[[Organisation, list[str]], list[str]]
THEME_RANKERS: list[ThemeRanker] = []


def programme_of(organisation: Organisation) -> Programme:
    programme, _created = Programme.objects.get_or_create(organisation=organisation)
    return programme


def planned_dates(programme: Programme, *, start: date, end: date) -> list[date]:
    """The programme's capsule dates between `start` and `end`, both included."""
    if programme.start_date is None:
        return []
    step = timedelta(weeks=programme.every_weeks)
    first = programme.start_date
    if first < start:
        first += step * -(-(start - first).days // step.days)  # ceil division
    dates = []
    while first <= end:
        dates.append(first)
        first += step
    return dates


def last_covered(organisation: Organisation) -> dict[str, date]:
    """When each theme was last sent (or is planned) for the organisation."""
    covered: dict[str, date] = {}
    campaigns = (
        AwarenessCampaign.objects.filter(organisation=organisation)
        .exclude(mailing__status=MailingStatus.CANCELLED)
        .values("capsule__theme")
        .annotate(last=Max("created_at"))
    )
    for row in campaigns:
        covered[row["capsule__theme"]] = timezone.localdate(row["last"])
    steps = (
        ProgrammeStep.objects.filter(programme__organisation=organisation)
        .exclude(status=StepStatus.SKIPPED)
        .values("theme")
        .annotate(last=Max("planned_for"))
    )
    for step in steps:
        theme, last = step["theme"], step["last"]
        covered[theme] = max(covered.get(theme, last), last)
    return covered


def rank_themes(organisation: Organisation, covered: dict[str, date]) -> list[str]:
    """Themes never covered first (in the library's order), then the longest uncovered."""
    order = list(THEMES)
    ranked = sorted(order, key=lambda t: (t in covered, covered.get(t, date.min), order.index(t)))
    for ranker in THEME_RANKERS:
        preferred = [t for t in ranker(organisation, list(ranked)) if t in ranked]
        ranked = list(dict.fromkeys(preferred)) + [t for t in ranked if t not in preferred]
    return ranked


def _with_capsule(organisation: Organisation, themes: list[str]) -> str | None:
    available = set(
        available_capsules(organisation, organisation.language).values_list("theme", flat=True)
    )
    return next((t for t in themes if t in available), None)


@dataclass(frozen=True)
class PlanEntry:
    planned_for: date
    theme: str
    step: ProgrammeStep | None

    @property
    def theme_label(self) -> str:
        return str(THEMES.get(self.theme, self.theme))


def plan(programme: Programme, *, today: date, days: int = 365) -> list[PlanEntry]:
    """The coming year: steps already drafted, and what the next dates would bring."""
    organisation = programme.organisation
    steps = {s.planned_for: s for s in programme.steps.select_related("campaign__mailing")}
    dates = planned_dates(programme, start=today, end=today + timedelta(days=days))
    covered = last_covered(organisation)
    entries = []
    for index, moment in enumerate(dates):
        step = steps.get(moment)
        if step is not None:
            theme: str | None = step.theme
        else:
            theme = theme_for(programme, moment, covered=covered, index_hint=index)
        if theme is None:
            continue
        covered[theme] = max(covered.get(theme, moment), moment)
        entries.append(PlanEntry(moment, theme, step))
    return entries


def theme_for(
    programme: Programme, moment: date, *, covered: dict[str, date], index_hint: int = 0
) -> str | None:
    organisation = programme.organisation
    order = [t for t in programme.theme_order if t in THEMES]
    if programme.theme_mode == ThemeMode.PLANNED and order and programme.start_date:
        position = (moment - programme.start_date).days // (programme.every_weeks * 7)
        rotated = order[position % len(order) :] + order[: position % len(order)]
        return _with_capsule(organisation, rotated)
    return _with_capsule(organisation, rank_themes(organisation, covered))


def send_moment(programme: Programme, moment: date) -> datetime:
    """The step's date at 9:00 in the organisation's time zone."""
    zone = ZoneInfo(programme.organisation.time_zone)
    return datetime.combine(moment, time(9, 0), tzinfo=zone)


# --- Due work ------------------------------------------------------------------


def prepare_due_steps(now: datetime | None = None) -> int:
    """Due-work source: draft every programme capsule whose lead time has begun."""
    now = now or timezone.now()
    created = 0
    for programme in Programme.objects.filter(enabled=True).select_related(
        "organisation", "segment"
    ):
        today = timezone.localdate(now, ZoneInfo(programme.organisation.time_zone))
        for moment in planned_dates(
            programme, start=today, end=today + timedelta(days=programme.lead_days)
        ):
            if prepare_step(programme, moment, now=now) is not None:
                created += 1
    return created


def prepare_step(programme: Programme, moment: date, *, now: datetime) -> ProgrammeStep | None:
    """Create the step of `moment` with its draft campaign; None if it already exists."""
    if programme.segment is None:
        return None
    theme = theme_for(programme, moment, covered=last_covered(programme.organisation))
    if theme is None:
        return None
    try:
        with transaction.atomic():
            step = ProgrammeStep.objects.create(
                programme=programme, planned_for=moment, theme=theme
            )
            _draft(programme, step, now=now)
    except IntegrityError:
        return None  # another scheduler made it
    return step


def _draft(programme: Programme, step: ProgrammeStep, *, now: datetime) -> None:
    organisation = programme.organisation
    capsule = (
        available_capsules(organisation, organisation.language).filter(theme=step.theme).first()
    )
    if capsule is None or programme.segment is None:  # checked before; the data changed since
        raise IntegrityError("no capsule or segment for the step")
    days = [programme.reminder_days] if programme.reminder_days else []
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.system(organisation),
        name=f"{capsule.title} ({step.planned_for:%d/%m/%Y})",
        capsule=capsule,
        segment=programme.segment,
        reminder_days=days[: programme.max_reminders],
    )
    mailing = campaign.mailing
    mailing.send_start = send_moment(programme, step.planned_for)
    mailing.save(update_fields=["send_start"])
    step.campaign = campaign
    fields = ["campaign"]
    if programme.auto_send:
        try:
            with transaction.atomic():
                mailing_launch(mailing=mailing, actor=Actor.system(organisation), now=now)
            step.status = StepStatus.SCHEDULED
            fields.append("status")
        except ValidationError as exc:
            step.problem = " ".join(exc.messages)[:300]
            fields.append("problem")
    step.save(update_fields=fields)
    _notify_managers(programme, step, capsule)


def managers(organisation: Organisation) -> list[str]:
    roles = ROLE_PERMISSIONS[Permission.MANAGE_CAMPAIGNS]
    return sorted(
        Membership.objects.filter(
            organisation=organisation, role__in=roles, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _notify_managers(programme: Programme, step: ProgrammeStep, capsule: Capsule) -> None:
    recipients = managers(programme.organisation)
    if not recipients:
        return
    send_email_on_commit(
        "awareness_programme_step",
        to=recipients,
        context={
            "organisation": programme.organisation,
            "step": step,
            "capsule": capsule,
            "scheduled": step.status == StepStatus.SCHEDULED,
            "url": absolute_url(reverse("awareness:programme")),
        },
        language=programme.organisation.language,
    )


# --- Decisions of a manager ------------------------------------------------------


@transaction.atomic
def step_validate(*, step: ProgrammeStep, actor: Actor, now: datetime | None = None) -> int:
    """Launch a drafted step for its date (at once if the date has passed)."""
    now = now or timezone.now()
    locked = ProgrammeStep.objects.select_for_update().get(pk=step.pk)
    if locked.status != StepStatus.DRAFT or locked.campaign is None:
        raise ValidationError(_("This capsule is no longer waiting for validation."))
    count = mailing_launch(mailing=locked.campaign.mailing, actor=actor, now=now)
    ProgrammeStep.objects.filter(pk=step.pk).update(status=StepStatus.SCHEDULED, problem="")
    _audit_step(locked, "awareness.step_validated", actor)
    return count


def _audit_step(step: ProgrammeStep, action: str, actor: Actor) -> None:
    audit_record(
        action=action,
        actor=actor,
        organisation=step.programme.organisation,
        target=step.campaign,
        details={"planned_for": step.planned_for.isoformat(), "theme": step.theme},
    )


@transaction.atomic
def step_change_capsule(*, step: ProgrammeStep, capsule: Capsule, actor: Actor) -> None:
    """A manager prefers another capsule for a drafted step."""
    locked = ProgrammeStep.objects.select_for_update().get(pk=step.pk)
    if locked.status != StepStatus.DRAFT or locked.campaign is None:
        raise ValidationError(_("This capsule is no longer waiting for validation."))
    organisation = locked.programme.organisation
    if not available_capsules(organisation, capsule.language).filter(pk=capsule.pk).exists():
        raise ValidationError(_("Choose a capsule of your library."))
    campaign_change_capsule(campaign=locked.campaign, capsule=capsule, actor=actor)
    ProgrammeStep.objects.filter(pk=step.pk).update(theme=capsule.theme)


@transaction.atomic
def step_skip(*, step: ProgrammeStep, actor: Actor) -> None:
    locked = ProgrammeStep.objects.select_for_update().get(pk=step.pk)
    if locked.status != StepStatus.DRAFT:
        raise ValidationError(_("Only a capsule waiting for validation can be skipped."))
    if locked.campaign is not None:
        mailing_cancel(mailing=locked.campaign.mailing, actor=actor)
    ProgrammeStep.objects.filter(pk=step.pk).update(status=StepStatus.SKIPPED)
    _audit_step(locked, "awareness.step_skipped", actor)


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    actor: Actor,
    fields: dict[str, object],
) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean(exclude=["organisation"])
    if programme.theme_mode == ThemeMode.PLANNED and not programme.theme_order:
        raise ValidationError({"theme_order": _("List the themes in the order you want them.")})
    if programme.enabled and (programme.segment is None or programme.start_date is None):
        raise ValidationError(
            _("To run the programme, choose who receives it and the date of the first capsule.")
        )
    programme.save()
    audit_record(
        action="awareness.programme_updated",
        actor=actor,
        organisation=programme.organisation,
        target=programme,
        details={k: str(v) for k, v in fields.items()},
    )
    return programme
