"""Telling people from robots on tracked links.

Each hit gets a verdict and its reasons. Strong signals (a known scanner, a HEAD
or prefetch request, the hidden link no person can see, a click seconds after
delivery) make it automated; weak ones (no language header) make it uncertain;
otherwise it is a person. Automated hits are kept and shown, never counted.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest

from hygie.lib.kept import Kept
from hygie.lib.robots import automated_reason
from hygie.phishing.models import ScannerNetwork, Verdict

TOO_FAST = timedelta(seconds=20)
# One address reaching this many different recipients' links this quickly is a
# gateway or a sandbox, not a practice (where two or three colleagues may share
# one internet connection and click within minutes of each other).
BURST_RECIPIENTS = 4
BURST_WINDOW = timedelta(seconds=90)
# A page-side confirmation counts for the hits of the same delivery this long
# before it (the person reads the page, then moves, scrolls or types).
CONFIRM_WINDOW = timedelta(minutes=10)
AWAITING = "no sign of a person on the page yet"
CONFIRMED = "a person interacted with the page"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A change in the console also empties it (forget_scanner_networks).
_NETWORKS: Kept[int, list[tuple[Network, str]]] = Kept(seconds=30.0, most=10_000)


def scanner_networks(organisation_id: int) -> list[tuple[Network, str]]:
    """The organisation's scanner ranges, cached briefly per process (one query per
    hit would cost as much as recording it)."""
    return _NETWORKS.get(organisation_id, lambda: _read_networks(organisation_id))


def _read_networks(organisation_id: int) -> list[tuple[Network, str]]:
    networks = []
    for cidr, label in ScannerNetwork.objects.filter(organisation_id=organisation_id).values_list(
        "cidr", "label"
    ):
        try:
            networks.append((ipaddress.ip_network(cidr, strict=False), label))
        except ValueError:
            continue  # validated on the way in; an old bad row must not break tracking
    return networks


def forget_scanner_networks(organisation_id: int | None = None) -> None:
    _NETWORKS.forget(organisation_id)


def network_reason(address: str, networks: Sequence[tuple[Network, str]]) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    for network, label in networks:
        if ip.version == network.version and ip in network:
            return f"scanner network: {label}"
    return ""


def source_of(request: HttpRequest) -> str:
    """A short keyed hash of the client address (never stored in clear)."""
    address = request.META.get("REMOTE_ADDR", "")
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"source:{address}".encode(), hashlib.sha256).hexdigest()[:16]


def classify(
    request: HttpRequest,
    *,
    sent_at: datetime | None,
    now: datetime,
    hidden_link: bool = False,
    recipients_from_source: int = 0,
    networks: Sequence[tuple[Network, str]] = (),
    awaiting_page: bool = False,
) -> tuple[str, list[str]]:
    """`recipients_from_source`: other recipients' links hit from the same address
    within the burst window (counted by the caller). `awaiting_page`: the answer
    carries the page-side check, so a hit that looks human stays uncertain until
    the page reports a real interaction."""
    strong, weak = [], []
    in_network = network_reason(request.META.get("REMOTE_ADDR", ""), networks)
    if in_network:
        strong.append(in_network)
    if recipients_from_source + 1 >= BURST_RECIPIENTS:
        strong.append(f"burst: {recipients_from_source + 1} recipients from one address")
    if hidden_link:
        strong.append("hidden link (invisible to people)")
    reason = automated_reason(request)
    if reason:
        strong.append(reason)
    purpose = " ".join(
        request.META.get(h, "") for h in ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_MOZ")
    ).lower()
    if "prefetch" in purpose or "preview" in purpose:
        strong.append("prefetch request")
    if sent_at is not None and now - sent_at < TOO_FAST:
        strong.append(f"{int((now - sent_at).total_seconds())} s after delivery")
    if not request.META.get("HTTP_ACCEPT_LANGUAGE"):
        weak.append("no Accept-Language header")
    if awaiting_page:
        weak.append(AWAITING)
    if strong:
        return Verdict.AUTOMATED, strong + weak
    if weak:
        return Verdict.UNCERTAIN, weak
    return Verdict.HUMAN, []


def field_kinds(names_with_values: list[str]) -> list[str]:
    """Which kinds of field were filled, from their names only (never their values)."""
    kinds = set()
    for name in names_with_values:
        lowered = name.lower()
        if any(k in lowered for k in ("pass", "mot_de_passe", "mdp", "pwd", "code")):
            kinds.add("password")
        elif any(k in lowered for k in ("ident", "user", "login", "email", "mail", "rpps")):
            kinds.add("identifier")
        elif any(k in lowered for k in ("iban", "rib", "card", "carte", "cb")):
            kinds.add("banking")
        else:
            kinds.add("other")
    return sorted(kinds)
