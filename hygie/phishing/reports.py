"""A simulation reported by the person who received it: recognising it, recording it.

Recognition needs only the text of what was forwarded: each simulated message carries
the delivery's token in its tracked links (`/<path prefix>/<token>/`) and in its
Message-ID (`<token@domain>`). The token is 160 random bits, so finding one in a
report is proof enough; the lookup is still limited to the reporter's organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hygie.delivery.models import Delivery, MailingKind
from hygie.phishing.models import (
    HitKind,
    SimulationEvent,
    SimulationResult,
    Verdict,
)
from hygie.phishing.selectors import scenario_of
from hygie.phishing.services import result_refresh

# A tracked link's path, or a Message-ID of a simulated message.
_LINK = re.compile(r"/([A-Za-z0-9_-]{3,24})/([A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])")
_MESSAGE_ID = re.compile(r"<?([A-Za-z0-9_-]{27})@[A-Za-z0-9.-]+>?")
MAX_CANDIDATES = 200


def simulation_delivery_in(text: str, *, organisation_id: int) -> Delivery | None:
    """The simulated delivery whose link or Message-ID appears in `text`, if any."""
    by_link = {token: prefix for prefix, token in _LINK.findall(text)}
    tokens = list(dict.fromkeys([*by_link, *_MESSAGE_ID.findall(text)]))[:MAX_CANDIDATES]
    if not tokens:
        return None
    candidates = Delivery.objects.select_related("mailing__simulation", "variant").filter(
        token__in=tokens,
        organisation_id=organisation_id,
        mailing__kind=MailingKind.SIMULATION,
    )
    for delivery in candidates:
        prefix = by_link.get(delivery.token)
        # A link must carry its campaign's prefix; a Message-ID carries none.
        if prefix is None or prefix == delivery.mailing.simulation.path_prefix:
            return delivery
    return None


@dataclass(frozen=True, slots=True)
class ReportedSimulation:
    delivery: Delivery
    reported_at: datetime
    # Time from the message's delivery to the report (None when never sent).
    time_to_report: timedelta | None
    # The best outcome: reported before (or without) any click.
    before_click: bool
    red_flags: list[dict[str, str]]
    scenario_title: str


@transaction.atomic
def record_report(*, delivery: Delivery, now: datetime | None = None) -> ReportedSimulation:
    """Record that the person reported the simulated message (once; later reports of the
    same message add nothing) and say how well they did."""
    now = now or timezone.now()
    if not SimulationEvent.objects.filter(delivery=delivery, kind=HitKind.REPORT).exists():
        SimulationEvent.objects.create(
            delivery=delivery,
            kind=HitKind.REPORT,
            at=now,
            # Reports come from the person's own mailbox or hand, not from a link robot.
            verdict=Verdict.HUMAN,
            reasons=["reported by the person"],
        )
        result_refresh(delivery_id=delivery.pk)
    result = SimulationResult.objects.filter(delivery=delivery).first()
    reported_at = result.reported_at if result and result.reported_at else now
    clicked_at = result.clicked_at if result else None
    scenario = scenario_of(delivery)
    before_click = clicked_at is None or clicked_at > reported_at
    return ReportedSimulation(
        delivery=delivery,
        reported_at=reported_at,
        time_to_report=reported_at - delivery.sent_at if delivery.sent_at else None,
        before_click=before_click,
        red_flags=[
            {"anchor": str(flag.get("anchor", "")), "explanation": str(flag["explanation"])}
            for flag in scenario.data.get("red_flags", [])
            # The landing page's clues were only seen by those who opened the link.
            if flag.get("explanation") and not (before_click and flag.get("where") == "landing")
        ],
        scenario_title=scenario.title,
    )
