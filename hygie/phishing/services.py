"""Simulation campaigns: creation (one variant per scenario), the launch guard, and
recording hits on tracked links."""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import re
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from hygie.accounts.audit import audit_record
from hygie.accounts.models import Organisation, User
from hygie.audience.models import Segment
from hygie.delivery.attachments import QR_PLACEHOLDER, calendar_lines, is_calendar
from hygie.delivery.hosts import landing_base, landing_hosts
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing, MailingKind, Variant
from hygie.delivery.placeholders import substitute
from hygie.delivery.sending import profile_of
from hygie.delivery.services import mailing_launch, send_test
from hygie.delivery.windows import SendingHours
from hygie.phishing import tracking_sql
from hygie.phishing.content.scenarios import (
    PREMISE_ALIGNMENT,
    attachment_of,
    field_problems,
    place_label,
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
from hygie.phishing.follow_up import send_follow_up
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
    SimulationAnnouncement,
    SimulationCampaign,
    SimulationEvent,
    SimulationResult,
    Stage,
    Verdict,
)
from hygie.phishing.teaching import reporting_address

STAGE_OF: dict[str, Stage] = {
    HitKind.OPEN: Stage.OPENED,
    HitKind.CLICK: Stage.CLICKED,
    HitKind.SUBMIT: Stage.SUBMITTED,
}
PREFIXES = ("espace", "compte", "acces", "document", "dossier", "portail", "suivi", "connexion")


# The QR code of a QR scenario is an image served by the tracking host; it encodes
# the person's tracked link. Loading the image is not a click (scanning it is).
QR_IMAGE = (
    '<img src="{{ lien }}q.png" alt="QR code" width="180" height="180" '
    'style="display:block;width:180px;height:180px">'
)


def new_path_prefix(words: Sequence[str]) -> str:
    """A word and four random hex digits, not used by another campaign yet when one is
    free after a few draws (tracking reads campaigns by prefix; a shared prefix works,
    at the cost of reading both campaigns)."""
    prefix = ""
    for _attempt in range(8):
        prefix = secrets.choice(words) + secrets.token_hex(2)
        if not SimulationCampaign.objects.filter(path_prefix=prefix).exists():
            break
    return prefix


def variant_key(scenario: Scenario) -> str:
    """The mailing variant that carries a scenario (variant keys are 8 characters)."""
    return f"s{scenario.pk}"


# Names the open image takes, one per campaign: no fixed file name for filters to learn.
IMAGE_NAMES = ("logo", "entete", "banniere", "signature", "pied", "illustration", "marque")


def open_pixel_html(image: str) -> str:
    # Whether an open counts per person is decided when it happens, from the
    # organisation's setting at that time (see record_open).
    return (
        f'<img src="{{{{ lien }}}}{image}.gif" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0">'
    )


# How to report, at the end of the message when the campaign asks for it: forward it
# to the organisation's reporting address. Never a link: a "report" link inside a
# suspicious message would teach clicking in it (older messages kept theirs, and the
# r/ address still answers them).
REPORT_TEXT = "\n\n--\nUn doute sur ce message ? Ne cliquez sur rien : transférez-le à {address}\n"
REPORT_HTML = (
    '<p style="font-size:12px;color:#6b7280;margin-top:24px">Un doute sur ce message ? '
    "Ne cliquez sur rien : transférez-le à {address}</p>"
)


def variant_fields(
    scenario: Scenario, *, domain: str, report_address: str, image: str = IMAGE_NAMES[0]
) -> dict[str, str]:
    """What a scenario puts into a mailing variant, tracked parts included.
    `report_address`: the reporting address the message names ("" for none; an SMS
    cannot be forwarded to an email address, so it never carries one)."""
    data = scenario.data
    text = str(data.get("text_body", ""))
    html_body = str(data.get("html_body", "")).replace("{{ qr_code }}", QR_IMAGE)
    sms = str(data.get("sms_body", ""))
    if report_address:
        if text:
            text += REPORT_TEXT.format(address=report_address)
        if html_body:
            html_body += REPORT_HTML.format(address=html.escape(report_address))
    if html_body:
        html_body += hidden_link_html() + open_pixel_html(image)
    attachment_name, attachment_html = attachment_of(data)
    return {
        "subject": str(data.get("subject", "")),
        "text_body": text,
        "html_body": html_body,
        "sms_body": sms,
        "from_name": str(data.get("sender_name", "")),
        "from_email": f"{data['sender_local_part']}@{domain}"
        if domain and data.get("sender_local_part")
        else "",
        "attachment_name": attachment_name,
        "attachment_html": attachment_html,
    }


def hidden_link_html() -> str:
    # A link no person sees or can click; robots that follow every href find it.
    return (
        '<a href="{{ lien }}h/" style="display:none;font-size:0;color:transparent" '
        'aria-hidden="true" tabindex="-1"></a>'
    )


def refuse_drafts(scenarios: Sequence[Scenario]) -> None:
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
    actor: User,
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
    request: HttpRequest | None = None,
    hours: SendingHours | None = None,
) -> SimulationCampaign:
    """A draft simulation; its mailing sends within `hours` (the organisation's default
    window when not given), between `send_start` and `send_end` when given."""
    if not scenarios:
        raise ValidationError(_("Choose at least one scenario."))
    refuse_drafts(scenarios)
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
    prefix = new_path_prefix(profile.link_words or PREFIXES)
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
        created_by=actor,
        **(hours or SendingHours()).mailing_fields(),
    )
    if any(s.organisation_id not in (None, organisation.pk) for s in scenarios):
        raise ValidationError(_("This scenario belongs to another organisation."))
    if after_click not in AfterClick.values:
        raise ValidationError(_("Unknown choice for what happens after a click."))
    image = secrets.choice(IMAGE_NAMES)
    for scenario in scenarios:
        Variant.objects.create(
            mailing=mailing,
            key=variant_key(scenario),
            weight=1,
            **variant_fields(scenario, domain=domain, report_address=report_address, image=image),
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
        created_by=actor,
    )
    campaign.scenarios.set(scenarios)
    audit_record(
        action="simulation.created",
        actor=actor,
        organisation=organisation,
        target=campaign,
        details={"scenarios": [s.slug for s in scenarios], "assignment": assignment},
        request=request,
    )
    return campaign


@transaction.atomic
def campaign_launch(
    *, campaign: SimulationCampaign, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Refused until the organisation has recorded that its people were told, and
    while one of its scenarios is a draft."""
    refuse_drafts(list(campaign.scenarios.all()))
    if not SimulationAnnouncement.objects.filter(organisation=campaign.organisation).exists():
        raise ValidationError(
            _("Record first when and how your members were told that simulations exist.")
        )
    count = mailing_launch(
        mailing=campaign.mailing,
        actor=actor,
        request=request,
        balanced=campaign.assignment == Assignment.AB_TEST,
    )
    SimulationResult.objects.bulk_create(
        SimulationResult(delivery_id=pk, campaign=campaign)
        for pk in campaign.mailing.deliveries.filter(is_test=False).values_list("pk", flat=True)
    )
    return count


def scenario_of(delivery: Delivery) -> Scenario:
    """The scenario of the delivery's variant. Scenario rows never change (an edit is a
    new version, a new row), so each process keeps the ones it has read: a click
    needs no query for it."""
    pk = int(delivery.variant.key.removeprefix("s"))
    scenario = _SCENARIOS.get(pk)
    if scenario is None:
        scenario = delivery.mailing.simulation.scenarios.get(pk=pk)
        if len(_SCENARIOS) >= SCENARIOS_KEPT:
            _SCENARIOS.clear()
        _SCENARIOS[pk] = scenario
    return scenario


def forget_scenarios() -> None:
    """Empty this process's scenarios (tests, whose rolled-back rows reuse keys)."""
    _SCENARIOS.clear()


# Scenarios read by this process, by primary key (a few hundred at most in practice).
_SCENARIOS: dict[int, Scenario] = {}
SCENARIOS_KEPT = 500


def record_hit(
    *,
    delivery: Delivery,
    kind: str,
    request: HttpRequest,
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
    visitor = visitor_of(request)
    if signals is None:
        signals = tracking_sql.signals(
            delivery.pk,
            visitor,
            burst_since=now - BURST_WINDOW,
            presence_since=now - CONFIRM_WINDOW if awaiting_page else None,
        )
    if kind == HitKind.OPEN:
        verdict, reasons = classify_open(
            request,
            sent_at=delivery.sent_at,
            now=now,
            networks=scanner_networks(delivery.organisation_id),
        )
    else:
        verdict, reasons = classify(
            request,
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
        source=source_of(request),
        visitor=visitor,
    )
    if verdict == Verdict.AUTOMATED and (
        hidden_link or any(reason.startswith(BURST) for reason in reasons)
    ):
        _record_unmasking(event, hidden_link=hidden_link)
    else:  # the common case: one statement on PostgreSQL, one short transaction on SQLite
        tracking_sql.append(event, **summary_change(event))
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
            refresh_result(delivery_id)
    else:
        advance_result(event)


def summary_change(event: SimulationEvent) -> dict[str, Any]:
    """What one new event changes in its delivery's summary (`tracking_sql.advance`'s
    arguments): the same figures as `refresh_result` gives, without reading the
    delivery's events again."""
    if event.verdict == Verdict.AUTOMATED:
        return {"automated": True}
    kind = event.kind
    return {
        "uncertain": event.verdict == Verdict.UNCERTAIN,
        "confirmed": event.verdict != Verdict.UNCERTAIN and kind in (HitKind.CLICK, HitKind.SUBMIT),
        "stage": STAGE_OF.get(kind),
        "clicked_at": event.at if kind in (HitKind.CLICK, HitKind.SUBMIT) else None,
        "submitted_at": event.at if kind == HitKind.SUBMIT else None,
        "reported_at": event.at if kind == HitKind.REPORT else None,
    }


def advance_result(event: SimulationEvent) -> None:
    """Add one recorded event to its delivery's summary in a single UPDATE."""
    tracking_sql.advance(event.delivery_id, **summary_change(event))


@transaction.atomic
def confirm_presence(
    *, delivery: Delivery, request: HttpRequest, now: datetime | None = None
) -> int:
    """The page saw a real interaction: that visitor's uncertain hits of the last
    minutes on this delivery were a person's (and so were its hits called robots
    for a burst alone). Hits of other visitors, a scanner's prefetch from the same
    address included, stay as they were. Returns how many hits were confirmed. A
    beacon that itself looks automated (scanner agent or network, too soon after
    delivery) confirms nothing."""
    now = now or timezone.now()
    verdict, reasons = classify(
        request,
        sent_at=delivery.sent_at,
        now=now,
        networks=scanner_networks(delivery.organisation_id),
    )
    if verdict == Verdict.AUTOMATED:
        return 0
    visitor = visitor_of(request)
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
        source=source_of(request),
        visitor=visitor,
    )
    for event in pending:
        event.verdict = Verdict.HUMAN
        event.reasons = [r for r in event.reasons if r != AWAITING] + [CONFIRMED]
        event.save(update_fields=["verdict", "reasons"])
    if pending:
        refresh_result(delivery.pk)
    return len(pending)


def record_open(
    *,
    delivery: Delivery,
    request: HttpRequest,
    now: datetime | None = None,
    signals: tracking_sql.Signals | None = None,
) -> None:
    """The open pixel. Counted per person only where the organisation allows it;
    elsewhere only a campaign-wide count of non-robot opens is kept."""
    organisation = delivery.mailing.organisation
    if organisation.track_individual_opens:
        record_hit(delivery=delivery, kind=HitKind.OPEN, request=request, now=now, signals=signals)
        return
    now = now or timezone.now()
    verdict, _reasons = classify_open(
        request,
        sent_at=delivery.sent_at,
        now=now,
        networks=scanner_networks(delivery.organisation_id),
    )
    if verdict != Verdict.AUTOMATED:
        tracking_sql.count_anonymous_open(delivery.mailing_id)


@transaction.atomic
def reclassify_hit(
    *,
    event: SimulationEvent,
    verdict: str,
    actor: User,
    request: HttpRequest | None = None,
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
        request=request,
    )
    refresh_result(event.delivery_id)


class ReviewScope:
    """What one correction by staff applies to."""

    HIT = "hit"
    VISITOR = "visitor"  # every hit of the same visitor in the campaign
    SOURCE = "source"  # every hit from the same address (or IPv6 /64) in the campaign
    VALUES = (HIT, VISITOR, SOURCE)


@transaction.atomic
def reclassify_hits(
    *,
    event: SimulationEvent,
    verdict: str,
    scope: str,
    actor: User,
    request: HttpRequest | None = None,
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
        reclassify_hit(event=event, verdict=verdict, actor=actor, request=request)
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
        request=request,
    )
    for delivery_id in touched:
        refresh_result(delivery_id)
    return count


SAME_VISIT = timedelta(minutes=5)
# After a simulation ends, its links keep counting this long (late readers).
TRACKING_GRACE = timedelta(hours=48)


def campaign_end(
    *, campaign: SimulationCampaign, actor: User, request: HttpRequest | None = None
) -> None:
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
            request=request,
        )
        send_follow_up(campaign=campaign, actor=actor, request=request)


def send_explanations(
    *, campaign: SimulationCampaign, actor: User, request: HttpRequest | None = None
) -> int:
    """Send the explanation (and follow-up capsule) now, without ending the campaign."""
    if campaign.explanations_sent_at is not None:
        raise ValidationError(_("The explanations were already sent."))
    if campaign.after_click != AfterClick.LATER and not campaign.follow_up:
        raise ValidationError(_("This campaign sends no explanation or follow-up by email."))
    return send_follow_up(campaign=campaign, actor=actor, request=request)


def send_test_to_self(
    *, campaign: SimulationCampaign, actor: User, variant_id: str, phone: str = ""
) -> Delivery:
    """One variant to the staff member, now, not counted in results: to their own
    address, or for an SMS scenario to the mobile number they give."""
    variant = campaign.mailing.variants.filter(pk=variant_id if variant_id.isdigit() else 0).first()
    if variant is None:
        raise ValidationError(_("Choose the variant to test."))
    return send_test(mailing=campaign.mailing, actor=actor, variant=variant, phone=phone)


@transaction.atomic
def scanner_network_add(
    *,
    organisation: Organisation,
    actor: User,
    cidr: str,
    label: str,
    request: HttpRequest | None = None,
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
        request=request,
    )
    transaction.on_commit(lambda: forget_scanner_networks(organisation.pk))
    return row


@transaction.atomic
def scanner_network_remove(
    *, network: ScannerNetwork, actor: User, request: HttpRequest | None = None
) -> None:
    organisation = network.organisation
    audit_record(
        action="simulation.scanner_network_removed",
        actor=actor,
        organisation=organisation,
        target=network,
        request=request,
    )
    network.delete()
    transaction.on_commit(lambda: forget_scanner_networks(organisation.pk))


@transaction.atomic
def disown_hits(*, delivery: Delivery) -> None:
    """The person says the visits were not theirs: they no longer count as theirs."""
    for event in SimulationEvent.objects.filter(delivery=delivery, reviewed_verdict=""):
        event.reviewed_verdict = Verdict.AUTOMATED
        event.reasons = [*event.reasons, "the person said it was not them"]
        event.save(update_fields=["reviewed_verdict", "reasons"])
    refresh_result(delivery.pk)


def refresh_result(delivery_id: int) -> None:
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
        stage = STAGE_OF.get(event.kind)
        if stage is not None and stage > result.stage:
            result.stage = stage
        if event.kind in (HitKind.CLICK, HitKind.SUBMIT) and result.clicked_at is None:
            result.clicked_at = event.at
        if event.kind == HitKind.SUBMIT and result.submitted_at is None:
            result.submitted_at = event.at
        if event.kind == HitKind.REPORT and result.reported_at is None:
            result.reported_at = event.at
    result.save()


def attachment_text(data: dict[str, Any], values: dict[str, str]) -> str:
    """The words of a scenario's attachment, as its reader sees them (no markup)."""
    name, source = attachment_of(data)
    if not source:
        return ""
    if is_calendar(name):
        return "\n".join(value for _name, value in calendar_lines(source, values))
    source = re.sub(r"(?is)<(style|head|script)\b.*?</\1>", "", source)
    source = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|h\d|li|table)>", "\n", source)
    source = re.sub(r"(?i)</t[dh]>", " ", source)
    text = strip_tags(substitute(QR_PLACEHOLDER.sub("[QR code]", source), values))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def annotated_message(
    scenario: Scenario,
    values: dict[str, str],
    *,
    sender_address: str = "",
    link_host: str = "",
) -> dict[str, object]:
    """The message as received, escaped, with each red flag wrapped in a numbered mark.

    With `sender_address` and `link_host` (what the message really carried), the sender
    shows its full address and every occurrence of the link's host is highlighted: the
    clues "look at what follows the @" and "where does the link lead" need them."""
    data = scenario.data
    sender = html.escape(data.get("sender_name", ""))
    if sender_address:
        address = html.escape(sender_address)
        sender += f' &lt;<mark class="origin" data-testid="sender-address">{address}</mark>&gt;'
    parts = {
        "sender": sender,
        "subject": html.escape(substitute(data.get("subject", ""), values)),
        "body": html.escape(substitute(data.get("text_body") or data.get("sms_body", ""), values)),
        "attachment": html.escape(attachment_text(data, values)),
    }
    flags = []
    for number, flag in enumerate(data.get("red_flags", []), start=1):
        place = {
            "sender": "sender",
            "subject": "subject",
            "sms": "body",
            "link": "body",
            "body": "body",
            "attachment": "attachment",
        }.get(flag["where"])
        anchor = html.escape(flag["anchor"])
        if place and anchor in parts[place]:
            parts[place] = parts[place].replace(
                anchor, f'<mark id="flag-{number}">{anchor}<sup>{number}</sup></mark>', 1
            )
        flags.append(
            {
                "number": number,
                "where": flag["where"],
                "place": place_label(flag["where"]),
                "anchor": flag["anchor"],
                "explanation": flag["explanation"],
            }
        )
    if link_host:
        host = html.escape(link_host)
        # Only inside addresses ("//host/" or "//host:port/"), never in a flag's own mark.
        inside_address = re.compile(rf"//{re.escape(host)}(?=[:/])")
        mark = f'//<mark class="origin" data-testid="link-domain">{host}</mark>'
        for name in ("body", "attachment"):
            parts[name] = inside_address.sub(lambda _m: mark, parts[name])
    return {
        "parts": parts,
        "flags": flags,
        "sender_address": sender_address,
        "link_host": link_host,
    }


def message_origin(delivery: Delivery) -> dict[str, str]:
    """The sender address and the link host a delivery really carried."""
    return {
        "sender_address": delivery.variant.from_email,
        "link_host": urlsplit(delivery.mailing.link_template).hostname or "",
    }


def clue_answer_record(
    *, delivery: Delivery, moment: str, chosen: Sequence[str], now: datetime | None = None
) -> bool:
    """Keep the clues a person picked (their numbers among the scenario's red flags,
    or UNKNOWN_CLUE), never anything typed. Returns whether the answer was kept: an
    unknown moment or clue, an empty choice or a second answer changes nothing."""
    flags = len(scenario_of(delivery).data.get("red_flags", []))
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
    for name, message in field_problems({**data, "last_reviewed": last_reviewed}):
        errors.setdefault(name, []).append(message)
    return errors


@transaction.atomic
def scenario_draft_create(
    *,
    organisation: Organisation,
    actor: User,
    data: dict[str, Any],
    request: HttpRequest | None = None,
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
        created_by=actor,
        status=ScenarioStatus.DRAFT,
    )
    audit_record(
        action="scenario.drafted",
        actor=actor,
        organisation=organisation,
        target=scenario,
        details={"slug": scenario.slug, "origin": data.get("origin", {})},
        request=request,
    )
    return scenario


@transaction.atomic
def scenario_publish(
    *,
    scenario: Scenario,
    organisation: Organisation,
    actor: User,
    request: HttpRequest | None = None,
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
    locked.published_by, locked.published_at = actor, timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        action="scenario.published",
        actor=actor,
        organisation=organisation,
        target=locked,
        details={"slug": locked.slug, "version": locked.version},
        request=request,
    )
    return locked
