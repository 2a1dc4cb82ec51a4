from __future__ import annotations

from django.db.models import Count, QuerySet

from hygie.accounts.models import Organisation
from hygie.delivery.models import Delivery, DeliveryStatus, Mailing


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
