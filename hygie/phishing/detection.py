"""Telling people from robots on tracked links.

Each hit gets a verdict and its reasons. Strong signals (a known scanner, a HEAD
or prefetch request, the hidden link no person can see, a click seconds after
delivery) make it automated; weak ones (no language header) make it uncertain;
otherwise it is a person. Automated hits are kept and shown, never counted.

Verdicts are per *visitor*, not per delivery or per address: a visitor is the
source address (an IPv6 address's /64, which one household or office shares) with
what its requests show of the browser (user agent, client hints, language and
encoding headers). Colleagues of a practice, or subscribers of a mobile operator's
carrier-grade NAT, share one address but not one browser, and each of them is
judged on their own hits; a burst is one identical fetcher reaching many recipients.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from hygie.lib.kept import Kept
from hygie.lib.robots import automated_reason
from hygie.lib.visits import Visit
from hygie.phishing.models import (
    KnownScanner,
    ScannerKind,
    ScannerMatch,
    ScannerNetwork,
    Verdict,
)

TOO_FAST = timedelta(seconds=20)
# One visitor (same address *and* same browser headers) reaching this many
# different recipients' links this quickly is a gateway or a sandbox. Colleagues
# behind one address count apart unless their browsers are identical; even then a
# real interaction on the page overrides the burst (see delivery_confirm_presence).
BURST_RECIPIENTS = 4
BURST_WINDOW = timedelta(seconds=90)
# A page-side confirmation counts for the hits of the same delivery this long
# before it (the person reads the page, then moves, scrolls or types).
CONFIRM_WINDOW = timedelta(minutes=10)
BURST = "burst"
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


@dataclass(frozen=True)
class Signature:
    label: str
    kind: str  # ScannerKind


@dataclass(frozen=True)
class Known:
    """The shipped scanner knowledge, ready to match (longest agent marker first, so
    that Apple Messages' "facebookexternalhit/1.1 facebot twitterbot" wins over Meta's)."""

    networks: tuple[tuple[Network, Signature], ...]
    agents: tuple[tuple[str, Signature], ...]
    exact_agents: dict[str, Signature]

    def by_agent(self, agent: str) -> Signature | None:
        exact = self.exact_agents.get(agent.strip())
        if exact is not None:
            return exact
        lowered = agent.lower()
        for marker, signature in self.agents:
            if marker in lowered:
                return signature
        return None

    def by_address(self, address: str) -> Signature | None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        for network, signature in self.networks:
            if ip.version == network.version and ip in network:
                return signature
        return None


_KNOWN: Kept[int, Known] = Kept(seconds=60.0, most=1)


def known_scanners() -> Known:
    """The shipped signatures, kept a minute per process. Read from the database
    (`load_scanners`), or straight from the shipped files while it holds none, so
    that detection never depends on a load having been run."""
    return _KNOWN.get(0, _read_known)


def forget_known_scanners() -> None:
    _KNOWN.forget(None)


def _read_known() -> Known:
    rows = list(KnownScanner.objects.all())
    if not rows:
        from hygie.phishing.content.scanners import ScannerDataError, load_scanner_files

        try:
            rows = load_scanner_files()
        except ScannerDataError:
            rows = []
    networks, agents, exact = [], [], {}
    for row in rows:
        # Reasons are stored in English (hygie.phishing.reasons shows them translated).
        signature = Signature(row.label_en or row.label, row.kind)
        if row.match == ScannerMatch.NETWORK:
            networks.append((ipaddress.ip_network(row.value, strict=False), signature))
        elif row.match == ScannerMatch.AGENT:
            agents.append((row.value.lower(), signature))
        else:
            exact[row.value] = signature
    agents.sort(key=lambda pair: -len(pair[0]))
    return Known(tuple(networks), tuple(agents), exact)


def known_reason(signature: Signature) -> str:
    if signature.kind == ScannerKind.PREVIEWER:
        return f"link previewer: {signature.label}"
    return f"known scanner: {signature.label}"


def network_reason(address: str, networks: Sequence[tuple[Network, str]]) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    for network, label in networks:
        if ip.version == network.version and ip in network:
            return f"scanner network: {label}"
    return ""


def network_key(address: str) -> str:
    """The address a visitor is known by: an IPv4 address as it is, an IPv6 address
    by its /64 (devices of one line rotate their addresses inside it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keyed(text: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]


def source_of(visit: Visit) -> str:
    """A short keyed hash of the client address, or its IPv6 /64 (never stored in clear)."""
    return _keyed(f"source:{network_key(visit.meta.get('REMOTE_ADDR', ''))}")


# What a browser sends the same on every request of a visit (a navigation, the
# page's beacon): the visitor's headers. Accept and Sec-Fetch-* change with the
# kind of request, so they are signals, not part of the visitor.
VISITOR_HEADERS = (
    "HTTP_USER_AGENT",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
)


def visitor_of(visit: Visit) -> str:
    """A short keyed hash of the source address and the browser's own headers: two
    colleagues behind one address are two visitors."""
    meta = visit.meta
    parts = [network_key(meta.get("REMOTE_ADDR", ""))]
    parts += [" ".join(str(meta.get(name, "")).split()) for name in VISITOR_HEADERS]
    return _keyed("visitor:" + "\x1f".join(parts))


def classify(
    visit: Visit,
    *,
    sent_at: datetime | None,
    now: datetime,
    hidden_link: bool = False,
    recipients_from_visitor: int = 0,
    networks: Sequence[tuple[Network, str]] = (),
    awaiting_page: bool = False,
    navigation: bool = True,
) -> tuple[str, list[str]]:
    """`recipients_from_visitor`: other recipients' links clicked by the same visitor
    within the burst window, not yet confirmed by their page (counted by the
    caller). `awaiting_page`: the answer carries the page-side check, so a hit that
    looks human stays uncertain until the page reports a real interaction.
    `navigation`: the visit should be a browser's page load (not an image)."""
    strong, weak = [], []
    meta = visit.meta
    address = meta.get("REMOTE_ADDR", "")
    in_network = network_reason(address, networks)
    if in_network:
        strong.append(in_network)
    known = known_scanners()
    signature = known.by_address(address) or known.by_agent(meta.get("HTTP_USER_AGENT", ""))
    if signature is not None:
        strong.append(known_reason(signature))
    if recipients_from_visitor + 1 >= BURST_RECIPIENTS:
        strong.append(f"{BURST}: {recipients_from_visitor + 1} recipients from one visitor")
    if hidden_link:
        strong.append("hidden link (invisible to people)")
    reason = automated_reason(visit)
    if reason:
        strong.append(reason)
    purpose = " ".join(
        meta.get(h, "") for h in ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_MOZ")
    ).lower()
    if "prefetch" in purpose or "preview" in purpose:
        strong.append("prefetch request")
    hints = client_hints_reason(meta)
    if hints:
        strong.append(hints)
    if navigation and not_a_navigation(meta):
        strong.append(NOT_NAVIGATION)
    if sent_at is not None and now - sent_at < TOO_FAST:
        strong.append(f"{int((now - sent_at).total_seconds())} s after delivery")
    if not meta.get("HTTP_ACCEPT_LANGUAGE"):
        weak.append(NO_LANGUAGE)
    if awaiting_page:
        weak.append(AWAITING)
    if strong:
        return Verdict.AUTOMATED, strong + weak
    if weak:
        return Verdict.UNCERTAIN, weak
    return Verdict.HUMAN, []


MACHINE_OPEN = "machine open (Apple Mail Privacy Protection)"
PROXY_OPEN = "mail image proxy: a person's open, device unknown"
NOT_NAVIGATION = "not a browser's navigation"


def classify_open(
    visit: Visit,
    *,
    sent_at: datetime | None,
    now: datetime,
    networks: Sequence[tuple[Network, str]] = (),
) -> tuple[str, list[str]]:
    """The open image: Apple's Mail Privacy Protection fetches it on delivery whether
    anyone reads or not (a machine open, shown apart); Gmail's proxy fetches it when
    the person opens (a person's open, on a device nobody can tell); previewers and
    gateways are robots as for links."""
    meta = visit.meta
    known = known_scanners()
    signature = known.by_agent(meta.get("HTTP_USER_AGENT", "")) or known.by_address(
        meta.get("REMOTE_ADDR", "")
    )
    if signature is not None and signature.kind == ScannerKind.MACHINE_OPEN:
        return Verdict.AUTOMATED, [MACHINE_OPEN]
    if signature is not None and signature.kind == ScannerKind.IMAGE_PROXY:
        return Verdict.HUMAN, [PROXY_OPEN]
    return classify(visit, sent_at=sent_at, now=now, networks=networks, navigation=False)


_CHROME = re.compile(r"(?:chrome|chromium)/(\d+)")
_CH_VERSION = re.compile(r'"(?:google chrome|chromium|microsoft edge)";\s*v="(\d+)"')


def client_hints_reason(meta: Mapping[str, Any]) -> str:
    """What the client hints (Sec-CH-UA*) give away: a headless browser, or hints no
    browser would send with the user agent it claims (a fetcher dressed as one)."""
    hints = str(meta.get("HTTP_SEC_CH_UA", "")).lower()
    if not hints:
        return ""
    if "headless" in hints:
        return "client hints: HeadlessChrome"
    agent = str(meta.get("HTTP_USER_AGENT", "")).lower()
    # Firefox and Safari send no client hints; Chrome on iOS is Safari underneath.
    engine = _CHROME.search(agent)
    if engine is None or "crios/" in agent:
        return "client hints: do not match the user agent"
    versions = set(_CH_VERSION.findall(hints))
    if versions and engine.group(1) not in versions:
        return "client hints: do not match the user agent"
    platform = str(meta.get("HTTP_SEC_CH_UA_PLATFORM", "")).strip('"').lower()
    if platform == "windows" and "windows" not in agent:
        return "client hints: do not match the user agent"
    if platform in ("macos", "linux", "chrome os") and "windows" in agent:
        return "client hints: do not match the user agent"
    if meta.get("HTTP_SEC_CH_UA_MOBILE") == "?1" and "windows nt" in agent:
        return "client hints: do not match the user agent"
    return ""


def not_a_navigation(meta: Mapping[str, Any]) -> bool:
    """A page load that no browser makes: no language, no fetch metadata and no
    Accept for a page (every browser sends all three; HTTP tools send none)."""
    accept = str(meta.get("HTTP_ACCEPT", "")).strip()
    return (
        not meta.get("HTTP_ACCEPT_LANGUAGE")
        and not meta.get("HTTP_SEC_FETCH_MODE")
        and accept in ("", "*/*")
    )


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


NO_LANGUAGE = "no Accept-Language header"
SAME_VISITOR = "same visitor as"


def only_burst(reasons: Sequence[str]) -> bool:
    """Whether a robot verdict rests on a burst alone (with weak signals at most): a
    real interaction of that visitor on the page outweighs it, since colleagues with
    identical browsers behind one address may click within a minute of each other."""
    strong = [r for r in reasons if r not in (AWAITING, NO_LANGUAGE, CONFIRMED)]
    return bool(strong) and all(
        r.startswith(BURST) or r.startswith(f"{SAME_VISITOR}: {BURST}") for r in strong
    )
