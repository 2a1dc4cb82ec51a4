"""Asynchronous bounces: delivery status notifications (RFC 3464) matched to deliveries.

A DSN is matched by its VERP address (bounces+<token>@…) when the sending
profile uses one, else by the Message-ID of the original message quoted in the
report. Only permanent failures (status 5.x.x) count as bounces.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from email.policy import compat32

from hygie.delivery.models import Delivery, DeliveryStatus
from hygie.delivery.services import delivery_record_bounce

VERP = re.compile(r"\+([A-Za-z0-9_\-]{20,40})@")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def _status_fields(report: Message) -> list[dict[str, str]]:
    """The per-recipient field groups of the message/delivery-status part."""
    groups: list[dict[str, str]] = []
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else [part]
        for block in blocks:
            if isinstance(block, Message):
                fields = {k.lower(): str(v) for k, v in block.items()}
                if fields:
                    groups.append(fields)
        if not isinstance(payload, list):
            raw = part.get_payload(decode=True)
            text = raw if isinstance(raw, bytes) else b""
            for chunk in text.decode("utf-8", "replace").split("\n\n"):
                fields = {}
                for line in chunk.splitlines():
                    name, _, value = line.partition(":")
                    if value:
                        fields[name.strip().lower()] = value.strip()
                if fields:
                    groups.append(fields)
    return groups


def _original_message_id(report: Message) -> str:
    for part in report.walk():
        if part.get_content_type() in {"message/rfc822", "text/rfc822-headers"}:
            text = part.as_string() if part.is_multipart() else str(part.get_payload())
            match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.I | re.M)
            if match:
                return MESSAGE_ID.search(match.group(1)).group(1)  # type: ignore[union-attr]
    return ""


def find_delivery(report: Message) -> Delivery | None:
    for header in ("To", "Delivered-To", "X-Original-To"):
        match = VERP.search(str(report.get(header, "")))
        if match:
            found = Delivery.objects.filter(token=match.group(1)).first()
            if found:
                return found
    message_id = _original_message_id(report)
    if message_id:
        return Delivery.objects.filter(message_id=message_id).first()
    return None


def process_dsn(raw: bytes) -> Delivery | None:
    """Mark the delivery a DSN reports as permanently failed. Returns it, or None."""
    report = message_from_bytes(raw, policy=compat32)
    failures = [
        group
        for group in _status_fields(report)
        if group.get("action", "").lower() == "failed" or group.get("status", "").startswith("5")
    ]
    if not failures:
        return None
    delivery = find_delivery(report)
    if delivery is None or delivery.status == DeliveryStatus.BOUNCED:
        return delivery
    detail = failures[0]
    reason = " ".join(
        part for part in (detail.get("status", ""), detail.get("diagnostic-code", "")) if part
    )
    delivery_record_bounce(delivery=delivery, reason=reason or "bounced")
    return delivery
