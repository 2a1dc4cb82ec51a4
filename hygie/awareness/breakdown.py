"""Campaign results by segment of the audience and the reading-time distribution,
with the anonymity threshold applied.

Each column follows the platform's one suppression rule (`hygie.lib.small_cells`):
cells under k hidden, and further cells withheld while the totals would give them away.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.audience.selectors import attribute_label
from hygie.awareness.models import AwarenessCampaign, EventKind, ReadingEvent
from hygie.awareness.selectors import Attempt, campaign_attempts
from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.lib.small_cells import suppressed_column

DIMENSIONS = {
    "profession": gettext_lazy("Profession"),
    "specialty": gettext_lazy("Specialty"),
    "departement": gettext_lazy("Département"),
}


@dataclass(frozen=True)
class GroupRow:
    """One group's figures, kept with the group's stored value (a code): its label is
    given when the page is read, in the reader's language, not when computed."""

    dimension: str
    value: str  # "" = not given
    recipients: int | None
    readers: int | None
    quiz_takers: int | None
    average_score: float | None

    @property
    def label(self) -> str:
        return _label(self.dimension, self.value)


@dataclass(frozen=True)
class Bucket:
    label: Promise  # lazy: translated when the page is read
    count: int | None
    percent: float  # of the largest shown bucket, for the bar's length


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    rows: list[GroupRow]
    reading_times: list[Bucket]
    timed_readers: int
    threshold: int


# Upper bounds in seconds of the reading-time buckets (the last one is open).
BUCKETS = (60, 120, 180, 300, 600)


BUCKET_LABELS = (
    gettext_lazy("under 1 min"),
    gettext_lazy("1 to 2 min"),
    gettext_lazy("2 to 3 min"),
    gettext_lazy("3 to 5 min"),
    gettext_lazy("5 to 10 min"),
    gettext_lazy("over 10 min"),
)


def _label(dimension: str, value: str) -> str:
    if not value:
        return _("Not given")
    return attribute_label(dimension, value)


def breakdown(
    campaign: AwarenessCampaign,
    dimension: str = "profession",
    attempts: list[Attempt] | None = None,
) -> Breakdown:
    """`attempts`: the campaign's latest attempts when the caller already read them."""
    if dimension not in DIMENSIONS:
        dimension = "profession"
    k = campaign.organisation.anonymity_threshold
    deliveries = Delivery.objects.filter(
        mailing=campaign.mailing, is_test=False, status=DeliveryStatus.SENT
    )
    group_of = {
        pk: value or "" for pk, value in deliveries.values_list("pk", f"person__{dimension}")
    }
    readers = set(
        ReadingEvent.objects.filter(
            delivery__in=deliveries, kind=EventKind.PAGE_VIEWED, automated=False
        ).values_list("delivery_id", flat=True)
    )
    if attempts is None:
        attempts = campaign_attempts(campaign)
    # Only messages that were sent count here (a bounced message's reader is left out).
    attempts = [a for a in attempts if a.delivery_id in group_of]
    groups: dict[str, dict[str, list[float]]] = defaultdict(
        lambda: {"recipients": [], "readers": [], "scores": []}
    )
    for pk, value in group_of.items():
        groups[value]["recipients"].append(1)
        if pk in readers:
            groups[value]["readers"].append(1)
    for attempt in attempts:
        group = group_of.get(attempt.delivery_id)
        if group is not None:
            groups[group]["scores"].append(attempt.score / attempt.total)
    # Largest first; equal groups by value, the unknown ones last.
    values = sorted(groups, key=lambda g: (-len(groups[g]["recipients"]), not g, g))
    recipients = [len(groups[g]["recipients"]) for g in values]
    small = {i for i, n in enumerate(recipients) if n < k}
    shown_recipients = suppressed_column(recipients, k, small)
    shown_readers = suppressed_column([len(groups[g]["readers"]) for g in values], k, small)
    shown_takers = suppressed_column([len(groups[g]["scores"]) for g in values], k, small)
    rows = []
    for i, value in enumerate(values):
        scores = groups[value]["scores"]
        takers = shown_takers[i]
        average = (
            round(100 * sum(scores) / len(scores), 1)
            if takers is not None and takers >= k
            else None
        )
        rows.append(
            GroupRow(dimension, value, shown_recipients[i], shown_readers[i], takers, average)
        )
    times = [a.reading_seconds for a in attempts if a.reading_seconds is not None]
    return Breakdown(
        dimension=dimension,
        rows=rows,
        reading_times=_distribution(times, k),
        timed_readers=len(times),
        threshold=k,
    )


def _distribution(seconds: list[int], k: int) -> list[Bucket]:
    counts = [0] * (len(BUCKETS) + 1)
    for value in seconds:
        index = next((i for i, bound in enumerate(BUCKETS) if value < bound), len(BUCKETS))
        counts[index] += 1
    if len(seconds) < k:
        shown: list[int | None] = [None] * len(counts)
    else:
        shown = suppressed_column(counts, k)
    largest = max((c for c in shown if c), default=0)
    return [
        Bucket(label, count, round(100 * count / largest, 1) if count and largest else 0.0)
        for label, count in zip(BUCKET_LABELS, shown, strict=True)
    ]
