"""Simulation campaigns: creation (one variant per scenario), the launch guard, and
recording hits on tracked links."""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.accounts.actors import Actor
from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation
from hygie.audience.models import Segment
from hygie.delivery.hosts import landing_base, landing_hosts
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, MailingKind, Variant
from hygie.delivery.sending import profile_of
from hygie.delivery.services import mailing_launch, mailing_send_test
from hygie.delivery.windows import SendingHours
from hygie.lib.editing import (
    content_checksum,
    edit_audit_entry,
    kept_state,
    next_version,
    raise_problems,
    refuse_foreign,
)
from hygie.lib.visits import Visit
from hygie.phishing import selectors, tracking_sql, variants
from hygie.phishing.content.scenarios import (
    FIELD_LABELS,
    PREMISE_ALIGNMENT,
    field_problems,
    rated_difficulty,
)
from hygie.phishing.detection import (
    AWAITING,
    BURST,
    BURST_WINDOW,
    CONFIRM_WINDOW,
    CONFIRMED,
    SAME_VISITOR,
    classify,
    classify_open,
    field_kinds,
    forget_scanner_networks,
    only_burst,
    scanner_networks,
    source_of,
    visitor_of,
)
from hygie.phishing.editing import TOP_LEVEL, flags_from_text
from hygie.phishing.follow_up import follow_up_send
from hygie.phishing.models import (
    UNKNOWN_CLUE,
    AfterClick,
    Assignment,
    ClueAnswer,
    ClueMoment,
    HitKind,
    ScannerNetwork,
    Scenario,
    ScenarioStatus,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)
from hygie.phishing.teaching import reporting_address


def _refuse_drafts(scenarios: Sequence[Scenario]) -> None:
    drafts = [s for s in scenarios if s.status != ScenarioStatus.PUBLISHED]
    if drafts:
        raise ValidationError(
            _(
                "The scenario “%(title)s” is a draft: someone allowed to manage content "
                "must review and publish it before a simulation can use it."
            )
            % {"title": drafts[0].title}
        )


@transaction.atomic
def campaign_create(
    *,
    organisation: Organisation,
    actor: Actor,
    name: str,
    scenarios: list[Scenario],
    segment: Segment,
    after_click: str = AfterClick.TEACH,
    follow_up: bool = False,
    report_link: bool = False,
    send_start: datetime | None = None,
    send_end: datetime | None = None,
    assignment: str = Assignment.RANDOM,
    sender_domain: str = "",
    landing_host: str = "",
    hours: SendingHours | None = None,
) -> SimulationCampaign:
    """A draft simulation; its mailing sends within `hours` (the organisation's default
    window when not given), between `send_start` and `send_end` when given."""
    if not scenarios:
        raise ValidationError(_("Choose at least one scenario."))
    _refuse_drafts(scenarios)
    if assignment not in Assignment.values:
        raise ValidationError(_("Unknown choice for how scenarios are given."))
    if assignment == Assignment.AB_TEST and len(scenarios) != 2:
        raise ValidationError(_("An A/B test compares exactly two scenarios."))
    channels = {s.channel if s.channel != "qr" else "email" for s in scenarios}
    if len(channels) > 1:
        raise ValidationError(_("Mix email and SMS scenarios in separate campaigns."))
    profile = profile_of(organisation.pk)
    domains = profile.simulation_domains
    if not domains and "email" in channels:
        raise ValidationError(
            _("Set the simulation domain of the organisation's sending profile first.")
        )
    domain = sender_domain or (domains[0] if domains else "")
    if domain and domain not in domains:
        raise ValidationError(_("This domain is not one of the organisation's simulation domains."))
    hosts = landing_hosts(profile)
    host = landing_host or hosts[0]
    if host not in hosts:
        raise ValidationError(_("This link host is not available to the organisation."))
    report_address = ""
    if report_link and "email" in channels:
        report_address = reporting_address(organisation)
        if not report_address:
            raise ValidationError(
                _(
                    "Set the organisation's reporting address first: the message asks people "
                    "to forward it there."
                )
            )
    prefix = variants.new_path_prefix(profile.link_words or variants.PREFIXES)
    base = landing_base(host)
    mailing = Mailing.objects.create(
        organisation=organisation,
        name=name,
        kind=MailingKind.SIMULATION,
        channel=channels.pop(),
        segment=segment,
        unsubscribe_link=False,
        link_template=f"{base}/{prefix}/{{token}}/",
        send_start=send_start,
        send_end=send_end,
        created_by=actor.user,
        **(hours or SendingHours()).mailing_fields(),
    )
    if any(s.organisation_id not in (None, organisation.pk) for s in scenarios):
        raise ValidationError(_("This scenario belongs to another organisation."))
    if after_click not in AfterClick.values:
        raise ValidationError(_("Unknown choice for what happens after a click."))
    image = secrets.choice(variants.IMAGE_NAMES)
    for scenario in scenarios:
        Variant.objects.create(
            mailing=mailing,
            key=variants.variant_key(scenario),
            weight=1,
            **variants.variant_fields(
                scenario, domain=domain, report_address=report_address, image=image
            ),
        )
    campaign = SimulationCampaign.objects.create(
        organisation=organisation,
        name=name,
        segment=segment,
        mailing=mailing,
        path_prefix=prefix,
        sender_domain=domain,
        landing_host=host,
        after_click=after_click,
        assignment=assignment,
        follow_up=follow_up,
        report_link=report_link,
        created_by=actor.user,
    )
    campaign.scenarios.set(scenarios)
    audit_record(
        action="simulation.created",
        actor=actor,
        organisation=organisation,
        target=campaign,
        details={"scenarios": [s.slug for s in scenarios], "assignment": assignment},
    )
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: SimulationCampaign, actor: Actor) -> int:
    """Refused until the organisation has recorded that its people were told, and
    while one of its scenarios is a draft."""
    _refuse_drafts(list(campaign.scenarios.all()))
    if not selectors.announcement_recorded(campaign.organisation):
        raise ValidationError(
            _("Record first when and how your members were told that simulations exist.")
        )
    count = mailing_launch(
        mailing=campaign.mailing,
        actor=actor,
        balanced=campaign.assignment == Assignment.AB_TEST,
    )
    SimulationResult.objects.bulk_create(
        SimulationResult(delivery_id=pk, campaign=campaign)
        for pk in campaign.mailing.deliveries.filter(is_test=False).values_list("pk", flat=True)
    )
    return count


def delivery_record_hit(
    *,
    delivery: Delivery,
    kind: str,
    visit: Visit,
    hidden_link: bool = False,
    submitted_fields: list[str] | None = None,
    awaiting_page: bool = False,
    now: datetime | None = None,
    signals: tracking_sql.Signals | None = None,
) -> SimulationEvent:
    """Append the event and move the delivery's summary forward (never backwards).

    `awaiting_page`: the answer carries the page-side check; a hit that looks human
    stays uncertain until the page reports a real interaction (or one was reported
    just before, as when a person types into the landing page and submits it).
    `signals`: read with the delivery at `now` (lookup.hit), else read here."""
    now = now or timezone.now()
    visitor = visitor_of(visit)
    if signals is None:
        signals = tracking_sql.signals(
            delivery.pk,
            visitor,
            burst_since=now - BURST_WINDOW,
            presence_since=now - CONFIRM_WINDOW if awaiting_page else None,
        )
    if kind == HitKind.OPEN:
        verdict, reasons = classify_open(
            visit,
            sent_at=delivery.sent_at,
            now=now,
            networks=scanner_networks(delivery.organisation_id),
        )
    else:
        verdict, reasons = classify(
            visit,
            sent_at=delivery.sent_at,
            now=now,
            hidden_link=hidden_link,
            # A burst is of link fetches: a form sent or a report pressed is deliberate.
            recipients_from_visitor=signals.recipients_from_visitor if kind == HitKind.CLICK else 0,
            networks=scanner_networks(delivery.organisation_id),
            awaiting_page=awaiting_page,
        )
    if signals.present and (
        (verdict == Verdict.UNCERTAIN and reasons == [AWAITING])
        # The page already saw this visitor on this delivery: a burst of identical
        # browsers behind one address was colleagues, not a scanner.
        or (verdict == Verdict.AUTOMATED and only_burst(reasons))
    ):
        verdict, reasons = Verdict.HUMAN, [*(r for r in reasons if r != AWAITING), CONFIRMED]
    event = SimulationEvent(
        delivery=delivery,
        kind=kind,
        at=now,
        verdict=verdict,
        reasons=reasons,
        field_kinds=field_kinds(submitted_fields or []),
        source=source_of(visit),
        visitor=visitor,
    )
    if verdict == Verdict.AUTOMATED and (
        hidden_link or any(reason.startswith(BURST) for reason in reasons)
    ):
        _record_unmasking(event, hidden_link=hidden_link)
    else:  # the common case: one statement on PostgreSQL, one short transaction on SQLite
        tracking_sql.append(event, **tracking_sql.summary_change(event))
    return event


@transaction.atomic
def _record_unmasking(event: SimulationEvent, *, hidden_link: bool) -> None:
    """A hidden-link hit or a burst also unmasks the visits that came just before it
    from the same visitor (never another visitor behind the same address): they were
    the same robot. A hidden link unmasks that visitor's hits of the delivery; a
    burst, that visitor's link fetches the page has not confirmed."""
    event.save()
    earlier = SimulationEvent.objects.filter(visitor=event.visitor, at__lte=event.at)
    if hidden_link:
        earlier = earlier.filter(delivery_id=event.delivery_id, at__gte=event.at - SAME_VISIT)
    else:
        earlier = earlier.filter(
            kind=HitKind.CLICK, at__gte=event.at - BURST_WINDOW, reviewed_verdict=""
        ).exclude(verdict=Verdict.HUMAN)
    touched = set()
    for previous in (
        earlier.exclude(pk=event.pk)
        .exclude(kind=HitKind.PRESENCE)
        .exclude(verdict=Verdict.AUTOMATED)
    ):
        previous.verdict = Verdict.AUTOMATED
        previous.reasons = [*previous.reasons, f"{SAME_VISITOR}: {event.reasons[0]}"]
        previous.save(update_fields=["verdict", "reasons"])
        touched.add(previous.delivery_id)
    if touched:  # earlier verdicts changed: recount those summaries from their events
        for delivery_id in touched | {event.delivery_id}:
            result_refresh(delivery_id=delivery_id)
    else:
        result_advance(event=event)


def result_advance(*, event: SimulationEvent) -> None:
    """Add one recorded event to its delivery's summary in a single UPDATE."""
    tracking_sql.advance(event.delivery_id, **tracking_sql.summary_change(event))


@transaction.atomic
def delivery_confirm_presence(
    *, delivery: Delivery, visit: Visit, now: datetime | None = None
) -> int:
    """The page saw a real interaction: that visitor's uncertain hits of the last
    minutes on this delivery were a person's (and so were its hits called robots
    for a burst alone). Hits of other visitors, a scanner's prefetch from the same
    address included, stay as they were. Returns how many hits were confirmed. A
    beacon that itself looks automated (scanner agent or network, too soon after
    delivery) confirms nothing."""
    now = now or timezone.now()
    verdict, reasons = classify(
        visit,
        sent_at=delivery.sent_at,
        now=now,
        networks=scanner_networks(delivery.organisation_id),
    )
    if verdict == Verdict.AUTOMATED:
        return 0
    visitor = visitor_of(visit)
    recent = SimulationEvent.objects.select_for_update().filter(
        delivery=delivery,
        visitor=visitor,
        kind__in=(HitKind.CLICK, HitKind.SUBMIT, HitKind.REPORT),
        verdict__in=(Verdict.UNCERTAIN, Verdict.AUTOMATED),
        at__gte=now - CONFIRM_WINDOW,
        at__lte=now,
    )
    pending = [
        event for event in recent if event.verdict == Verdict.UNCERTAIN or only_burst(event.reasons)
    ]
    if tracking_sql.present_since(delivery.pk, visitor, now - CONFIRM_WINDOW) and not pending:
        return 0  # one confirmation row per visit is enough
    SimulationEvent.objects.create(
        delivery=delivery,
        kind=HitKind.PRESENCE,
        at=now,
        verdict=Verdict.HUMAN,
        reasons=[r for r in reasons if r != AWAITING],
        source=source_of(visit),
        visitor=visitor,
    )
    for event in pending:
        event.verdict = Verdict.HUMAN
        event.reasons = [r for r in event.reasons if r != AWAITING] + [CONFIRMED]
        event.save(update_fields=["verdict", "reasons"])
    if pending:
        result_refresh(delivery_id=delivery.pk)
    return len(pending)


def delivery_record_open(
    *,
    delivery: Delivery,
    visit: Visit,
    now: datetime | None = None,
    signals: tracking_sql.Signals | None = None,
) -> None:
    """The open pixel. Counted per person only where the organisation allows it;
    elsewhere only a campaign-wide count of non-robot opens is kept."""
    organisation = delivery.mailing.organisation
    if organisation.track_individual_opens:
        delivery_record_hit(
            delivery=delivery, kind=HitKind.OPEN, visit=visit, now=now, signals=signals
        )
        return
    now = now or timezone.now()
    verdict, _reasons = classify_open(
        visit,
        sent_at=delivery.sent_at,
        now=now,
        networks=scanner_networks(delivery.organisation_id),
    )
    if verdict != Verdict.AUTOMATED:
        tracking_sql.count_anonymous_open(delivery.mailing_id)


@transaction.atomic
def hit_reclassify(
    *,
    event: SimulationEvent,
    verdict: str,
    actor: Actor,
) -> None:
    """Staff review of one hit; the detector's own verdict stays beside it."""
    if verdict not in Verdict.values:
        raise ValidationError(_("Unknown verdict: %(v)s.") % {"v": verdict})
    if event.kind == HitKind.PRESENCE:
        raise ValidationError(_("A page confirmation is not a hit and cannot be reviewed."))
    previous = event.reviewed_verdict or event.verdict
    event.reviewed_verdict = verdict
    event.save(update_fields=["reviewed_verdict"])
    campaign = event.delivery.mailing.simulation
    audit_record(
        action="simulation.hit_reclassified",
        actor=actor,
        organisation=campaign.organisation,
        target=campaign,
        details={"event": event.pk, "from": previous, "to": verdict},
    )
    result_refresh(delivery_id=event.delivery_id)


class ReviewScope:
    """What one correction by staff applies to."""

    HIT = "hit"
    VISITOR = "visitor"  # every hit of the same visitor in the campaign
    SOURCE = "source"  # every hit from the same address (or IPv6 /64) in the campaign
    VALUES = (HIT, VISITOR, SOURCE)


@transaction.atomic
def hits_reclassify(
    *,
    event: SimulationEvent,
    verdict: str,
    scope: str,
    actor: Actor,
) -> int:
    """Staff correct a whole group of hits in one action: the hit, every hit of its
    visitor, or every hit from its address, in the same campaign. The detector's own
    verdicts stay beside the correction. Returns how many hits were corrected."""
    if verdict not in Verdict.values:
        raise ValidationError(_("Unknown verdict: %(v)s.") % {"v": verdict})
    if scope not in ReviewScope.VALUES:
        raise ValidationError(_("Unknown choice of hits to correct."))
    if event.kind == HitKind.PRESENCE:
        raise ValidationError(_("A page confirmation is not a hit and cannot be reviewed."))
    if scope == ReviewScope.HIT:
        hit_reclassify(event=event, verdict=verdict, actor=actor)
        return 1
    campaign = event.delivery.mailing.simulation
    key = event.visitor if scope == ReviewScope.VISITOR else event.source
    if not key:  # hits recorded before visitors were kept
        raise ValidationError(_("This hit carries no visitor to group by."))
    group = (
        SimulationEvent.objects.select_for_update()
        .filter(delivery__mailing_id=campaign.mailing_id, **{scope: key})
        .exclude(kind=HitKind.PRESENCE)
    )
    touched = set()
    count = 0
    for hit in group:
        count += 1
        if (hit.reviewed_verdict or hit.verdict) != verdict:
            touched.add(hit.delivery_id)
        hit.reviewed_verdict = verdict
        hit.save(update_fields=["reviewed_verdict"])
    audit_record(
        action="simulation.hits_reclassified",
        actor=actor,
        organisation=campaign.organisation,
        target=campaign,
        details={"event": event.pk, "scope": scope, "hits": count, "to": verdict},
    )
    for delivery_id in touched:
        result_refresh(delivery_id=delivery_id)
    return count


SAME_VISIT = timedelta(minutes=5)
# After a simulation ends, its links keep counting this long (late readers).
TRACKING_GRACE = timedelta(hours=48)


def campaign_end(*, campaign: SimulationCampaign, actor: Actor) -> None:
    """Stop the campaign: unsent messages are cancelled, links count for a grace
    period, and the explanation or follow-up capsule goes to those who clicked."""
    if campaign.ended_at is not None:
        return
    with transaction.atomic():
        campaign.ended_at = timezone.now()
        campaign.save(update_fields=["ended_at"])
        campaign.mailing.deliveries.filter(status=DeliveryStatus.SCHEDULED).update(
            status=DeliveryStatus.CANCELLED
        )
        audit_record(
            action="simulation.ended",
            actor=actor,
            organisation=campaign.organisation,
            target=campaign,
        )
        follow_up_send(campaign=campaign, actor=actor)


def campaign_send_explanations(*, campaign: SimulationCampaign, actor: Actor) -> int:
    """Send the explanation (and follow-up capsule) now, without ending the campaign."""
    if campaign.explanations_sent_at is not None:
        raise ValidationError(_("The explanations were already sent."))
    if campaign.after_click != AfterClick.LATER and not campaign.follow_up:
        raise ValidationError(_("This campaign sends no explanation or follow-up by email."))
    return follow_up_send(campaign=campaign, actor=actor)


def campaign_send_test(
    *, campaign: SimulationCampaign, actor: Actor, variant_id: str, phone: str = ""
) -> Delivery:
    """One variant to the staff member, now, not counted in results: to their own
    address, or for an SMS scenario to the mobile number they give."""
    variant = campaign.mailing.variants.filter(pk=variant_id if variant_id.isdigit() else 0).first()
    if variant is None:
        raise ValidationError(_("Choose the variant to test."))
    return mailing_send_test(mailing=campaign.mailing, actor=actor, variant=variant, phone=phone)


@transaction.atomic
def scanner_network_add(
    *,
    organisation: Organisation,
    actor: Actor,
    cidr: str,
    label: str,
) -> ScannerNetwork:
    network = str(ipaddress.ip_network(cidr, strict=False))
    if ScannerNetwork.objects.filter(organisation=organisation, cidr=network).exists():
        raise ValidationError(_("This range is already in the list."))
    row = ScannerNetwork.objects.create(organisation=organisation, cidr=network, label=label)
    audit_record(
        action="simulation.scanner_network_added",
        actor=actor,
        organisation=organisation,
        target=row,
    )
    transaction.on_commit(lambda: forget_scanner_networks(organisation.pk))
    return row


@transaction.atomic
def scanner_network_remove(*, network: ScannerNetwork, actor: Actor) -> None:
    organisation = network.organisation
    audit_record(
        action="simulation.scanner_network_removed",
        actor=actor,
        organisation=organisation,
        target=network,
    )
    network.delete()
    transaction.on_commit(lambda: forget_scanner_networks(organisation.pk))


@transaction.atomic
def delivery_disown_hits(*, delivery: Delivery) -> None:
    """The person says the visits were not theirs: they no longer count as theirs."""
    for event in SimulationEvent.objects.filter(delivery=delivery, reviewed_verdict=""):
        event.reviewed_verdict = Verdict.AUTOMATED
        event.reasons = [*event.reasons, "the person said it was not them"]
        event.save(update_fields=["reviewed_verdict", "reasons"])
    result_refresh(delivery_id=delivery.pk)


def result_refresh(*, delivery_id: int) -> None:
    """Recompute a delivery's summary from its events (people only; robots counted apart).

    Progress only grows with new human events; it can shrink only when an earlier
    hit is found to have been a robot, which is a correction, not a step back.
    """
    result = SimulationResult.objects.select_for_update().filter(delivery_id=delivery_id).first()
    if result is None:
        return
    events = (
        SimulationEvent.objects.filter(delivery_id=delivery_id)
        .exclude(kind=HitKind.PRESENCE)
        .order_by("at", "pk")
    )
    result.stage, result.clicked_at, result.submitted_at = Stage.SENT, None, None
    result.reported_at, result.automated_hits = None, 0
    result.uncertain_hits, result.confirmed = 0, False
    for event in events:
        verdict = event.reviewed_verdict or event.verdict
        if verdict == Verdict.AUTOMATED:
            result.automated_hits += 1
            continue
        # Uncertain hits still count (leaving them out would make people without
        # JavaScript vanish); the results show how many were confirmed.
        if verdict == Verdict.UNCERTAIN:
            result.uncertain_hits += 1
        elif event.kind in (HitKind.CLICK, HitKind.SUBMIT):
            result.confirmed = True
        stage = tracking_sql.STAGE_OF.get(event.kind)
        if stage is not None and stage > result.stage:
            result.stage = stage
        if event.kind in (HitKind.CLICK, HitKind.SUBMIT) and result.clicked_at is None:
            result.clicked_at = event.at
        if event.kind == HitKind.SUBMIT and result.submitted_at is None:
            result.submitted_at = event.at
        if event.kind == HitKind.REPORT and result.reported_at is None:
            result.reported_at = event.at
    result.save()


def clue_answer_record(
    *, delivery: Delivery, moment: str, chosen: Sequence[str], now: datetime | None = None
) -> bool:
    """Keep the clues a person picked (their numbers among the scenario's red flags,
    or UNKNOWN_CLUE), never anything typed. Returns whether the answer was kept: an
    unknown moment or clue, an empty choice or a second answer changes nothing."""
    flags = len(selectors.scenario_of(delivery).data.get("red_flags", []))
    allowed = {str(number) for number in range(1, flags + 1)} | {UNKNOWN_CLUE}
    picked = sorted(set(chosen), key=lambda c: (c == UNKNOWN_CLUE, int(c) if c.isdigit() else 0))
    if moment not in ClueMoment.values or not picked or not set(picked) <= allowed:
        return False
    if UNKNOWN_CLUE in picked:
        picked = [UNKNOWN_CLUE]  # "je ne sais pas" with a clue is still not knowing
    with transaction.atomic():
        _answer, created = ClueAnswer.objects.get_or_create(
            delivery=delivery,
            moment=moment,
            defaults={"clues": picked, "at": now or timezone.now()},
        )
    return created


# --- Draft scenarios ---------------------------------------------------------------


def _data_problems(data: dict[str, Any], last_reviewed: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, message in field_problems({**data, "last_reviewed": last_reviewed}, FIELD_LABELS):
        errors.setdefault(name, []).append(message)
    return errors


@transaction.atomic
def scenario_draft_create(
    *,
    organisation: Organisation,
    actor: Actor,
    data: dict[str, Any],
) -> Scenario:
    """Keep `data` (a scenario's content, as in the files) as a draft of the
    organisation: visible and editable in the console, never offered for a simulation
    until `scenario_publish`. Raises ValidationError keyed by field; nothing is
    written then."""
    today = timezone.localdate()
    data = {k: v for k, v in data.items() if k != "last_reviewed"}
    data["version"] = 1
    rating = data.get("difficulty_rating") or {}
    if isinstance(rating.get("cues"), int) and rating.get("premise") in PREMISE_ALIGNMENT:
        # The difficulty follows from the scale, as in the editor.
        data["difficulty"] = rated_difficulty(rating["cues"], rating["premise"])
    errors = _data_problems(data, today)
    if errors:
        raise ValidationError(errors)
    taken = Scenario.objects.filter(slug=data["slug"], language=data["language"]).filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    if taken.exists():
        raise ValidationError(_("A scenario with this name already exists."))
    checksum = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    scenario = Scenario.objects.create(
        organisation=organisation,
        slug=data["slug"],
        language=data["language"],
        version=1,
        title=data["title"],
        channel=data["channel"],
        technique=data["technique"],
        difficulty=data["difficulty"],
        theme=data["theme"],
        last_reviewed=today,
        checksum=checksum,
        data=data,
        created_by=actor.user,
        status=ScenarioStatus.DRAFT,
    )
    audit_record(
        action="scenario.drafted",
        actor=actor,
        organisation=organisation,
        target=scenario,
        details={"slug": scenario.slug, "origin": data.get("origin", {})},
    )
    return scenario


@transaction.atomic
def scenario_publish(
    *,
    scenario: Scenario,
    organisation: Organisation,
    actor: Actor,
) -> Scenario:
    """A reviewed draft becomes usable by simulations. Only the latest version of a
    draft, of the organisation's own, complete by the scenarios' schema."""
    if scenario.organisation_id != organisation.pk:
        raise ValidationError(_("This scenario belongs to another organisation."))
    locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if locked.status == ScenarioStatus.PUBLISHED:
        raise ValidationError(_("This scenario is already published."))
    newer = Scenario.objects.filter(
        organisation=organisation,
        slug=locked.slug,
        language=locked.language,
        version__gt=locked.version,
    )
    if newer.exists():
        raise ValidationError(_("A newer version of this scenario exists: publish that one."))
    errors = _data_problems(locked.data, locked.last_reviewed)
    if errors:
        raise ValidationError(
            _("This draft is not complete yet: %(problems)s.")
            % {"problems": "; ".join(m for messages in errors.values() for m in messages)}
        )
    locked.status = ScenarioStatus.PUBLISHED
    locked.published_by, locked.published_at = actor.user, timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        action="scenario.published",
        actor=actor,
        organisation=organisation,
        target=locked,
        details={"slug": locked.slug, "version": locked.version},
    )
    return locked


@transaction.atomic
def scenario_edit(
    *,
    scenario: Scenario,
    organisation: Organisation,
    data: dict[str, Any],
    actor: Actor,
) -> Scenario:
    """Save the editor's fields (`data`, the form's cleaned data; a field left out keeps
    its value) as the organisation's next version of the scenario (hygie.lib.editing).

    The new version keeps the edited one's state: a draft stays a draft until it is
    published; a published scenario edited by someone allowed to manage content
    stays published (they wrote it). Raises ValidationError keyed by form field;
    nothing is written then."""
    refuse_foreign(scenario, organisation, _("This scenario belongs to another organisation."))
    content = copy.deepcopy(scenario.data)
    for name in TOP_LEVEL:
        if name in data:
            content[name] = data[name]
    landing = dict(content.get("landing") or {})
    if "landing_title" in data:
        landing["title"] = data["landing_title"]
    if "landing_html" in data:
        landing["html"] = data["landing_html"]
    content["landing"] = landing
    if "attachment_name" in data or "attachment_html" in data:
        attachment = dict(content.get("attachment") or {})
        attachment["filename"] = data.get("attachment_name", attachment.get("filename", ""))
        attachment["html"] = data.get("attachment_html", attachment.get("html", ""))
        # Both emptied: no attachment any more.
        content.pop("attachment", None)
        if attachment["filename"].strip() or attachment["html"].strip():
            content["attachment"] = attachment
    if "red_flags" in data:
        content["red_flags"] = flags_from_text(data["red_flags"])
    if {"cues", "premise", "premise_note"} & set(data):
        # Staff rate the message; the difficulty follows from the scale, never typed.
        rating = dict(content.get("difficulty_rating") or {})
        for name in ("cues", "premise", "premise_note"):
            if name in data:
                rating[name] = data[name]
        content["difficulty_rating"] = rating
        if isinstance(rating.get("cues"), int) and rating.get("premise") in PREMISE_ALIGNMENT:
            content["difficulty"] = rated_difficulty(rating["cues"], rating["premise"])
    content["version"] = next_version(
        Scenario,
        organisation=organisation,
        slug=scenario.slug,
        language=scenario.language,
        lock=True,
    )
    content["last_reviewed"] = date.today()  # noqa: DTZ011 - a calendar date
    errors: dict[str, list[str]] = {}
    for name, message in field_problems(content, FIELD_LABELS):
        # The form has no difficulty field: its rating's problems go beside the cues.
        errors.setdefault("cues" if name == "difficulty" else name, []).append(message)
    raise_problems(errors)
    stored = {k: v for k, v in content.items() if k != "last_reviewed"}
    new = Scenario.objects.create(
        organisation=organisation,
        slug=scenario.slug,
        language=scenario.language,
        version=content["version"],
        title=content["title"],
        channel=content["channel"],
        technique=content["technique"],
        difficulty=content["difficulty"],
        theme=content["theme"],
        last_reviewed=content["last_reviewed"],
        checksum=content_checksum(stored),
        data=stored,
        created_by=actor.user,
        **kept_state(scenario, editor=actor.user),
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        **edit_audit_entry(kind="scenario", new=new, base=scenario),
    )
    return new
