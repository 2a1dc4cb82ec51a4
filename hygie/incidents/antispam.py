"""Protections of the public report form against robots: token, honeypot, rate limit.

The form is public and each report emails the organisation's handlers, so abuse is cheap.
Three layers, none of which stores anything about the person:

- **a signed form token** (`issue_token`, `read_token`): issued when the page is rendered, it
  holds the render time and a random nonce, signed with `django.core.signing` (so the
  SECRET_KEY). A submission sooner than `MIN_SECONDS` after the render is a robot's; a token
  older than `MAX_AGE` has expired. The nonce makes a second submission of the same page (a
  double click, a reload) find the report already sent instead of creating a duplicate.
- **a honeypot field** (`HONEYPOT_FIELD`), hidden from people by CSS and from assistive
  technologies by `aria-hidden`: a robot that fills every field gives itself away.
- **rate limits per browser** (`RateLimit`, `client_of`), counted in Django's cache framework,
  with a generous ceiling per internet address. The browser is recognised by a random key in
  a signed session cookie that holds nothing else and is stored nowhere.

Both the rate counters and the used nonces live in the ``default`` cache (HYGIE_CACHE_URL).
With a Redis server every web process counts together; without one (the embedded default)
each process counts alone, so with N web processes a client may send up to N times the limit
(the start-up check warns about it in production).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache

FORM_SALT = "hygie.incidents.report-form"
# Quicker than any person, even one whose browser fills the form in one go (autofill): such a
# submit is refused with the reason and the text kept, so pressing Send again goes through.
MIN_SECONDS = 2
MAX_AGE = 24 * 3600  # a page left open for a day must be reloaded
HONEYPOT_FIELD = "homepage"
SENT_KEY = "incidents:report-sent:{nonce}"


class TokenError(ValueError):
    """The token is missing, forged, too recent or expired; `code` says which."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True, slots=True)
class FormToken:
    issued_at: float
    nonce: str


def issue_token(issued_at: float | None = None) -> str:
    """A signed token for a form rendered now (or at `issued_at`, a Unix time)."""
    payload: dict[str, object] = {
        "t": int(issued_at if issued_at is not None else time.time()),
        "n": secrets.token_urlsafe(12),
    }
    return signing.dumps(payload, salt=FORM_SALT, compress=False)


def read_token(token: str, now: float | None = None) -> FormToken:
    """The token's content, or `TokenError` with code "invalid", "too_fast" or "expired"."""
    try:
        payload: Any = signing.loads(token, salt=FORM_SALT)
    except signing.BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(payload, dict):
        raise TokenError("invalid")
    issued_at, nonce = payload.get("t"), payload.get("n")
    if not isinstance(issued_at, int) or not isinstance(nonce, str) or not nonce:
        raise TokenError("invalid")
    age = (now if now is not None else time.time()) - issued_at
    if age < MIN_SECONDS:
        raise TokenError("too_fast")
    if age > MAX_AGE:
        raise TokenError("expired")
    return FormToken(issued_at=float(issued_at), nonce=nonce)


def remember_sent(nonce: str, reference: str) -> None:
    """Remember that the form with this nonce created the report `reference`."""
    cache.set(SENT_KEY.format(nonce=nonce), reference, timeout=MAX_AGE)


def already_sent(nonce: str) -> str | None:
    """The reference of the report this form already created, if any."""
    reference = cache.get(SENT_KEY.format(nonce=nonce))
    return reference if isinstance(reference, str) else None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` events per `window` seconds for one key (a client address).

    A fixed window counted with `cache.add` + `cache.incr`, both atomic in Django's cache
    backends: at a window boundary a client may get up to twice the limit in a short time,
    an acceptable price for one cache key per client and no stored timestamps.
    """

    name: str
    limit: int
    window: int  # seconds

    def _key(self, client: str, now: float | None) -> str:
        slot = int((now if now is not None else time.time()) // self.window)
        return f"incidents:rate:{self.name}:{client}:{slot}"

    def count(self, client: str, now: float | None = None) -> int:
        value = cache.get(self._key(client, now), 0)
        return value if isinstance(value, int) else 0

    def exceeded(self, client: str, now: float | None = None) -> bool:
        return self.count(client, now) >= self.limit

    def hit(self, client: str, now: float | None = None) -> int:
        key = self._key(client, now)
        cache.add(key, 0, timeout=self.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window)
            return 1


# Limits are counted per browser (a random identifier in a session cookie, see
# `browser_key`), so a group practice or a mobile network behind one address is not refused
# because of its neighbours; a generous ceiling per address stops a robot that drops cookies.
# Reports sent, and submissions refused as robots'.
REPORTS_PER_BROWSER = RateLimit(name="reports", limit=5, window=3600)
REPORTS_PER_ADDRESS = RateLimit(name="reports-address", limit=60, window=3600)
# PDF summaries rendered: generous for a person, costly for a robot. HEAD is not counted.
PDFS_PER_BROWSER = RateLimit(name="pdf", limit=30, window=3600)
PDFS_PER_ADDRESS = RateLimit(name="pdf-address", limit=300, window=3600)

BROWSER_COOKIE = "hygie_aide"
BROWSER_SALT = "hygie.incidents.browser"


@dataclass(frozen=True, slots=True)
class Client:
    """Who a limit counts: the browser's random key, and its internet address."""

    browser: str
    address: str
    new_browser: bool  # the key was just made: the response must set the cookie

    def exceeded(self, per_browser: RateLimit, per_address: RateLimit) -> bool:
        return per_browser.exceeded(self.browser) or per_address.exceeded(self.address)

    def hit(self, per_browser: RateLimit, per_address: RateLimit) -> None:
        per_browser.hit(self.browser)
        per_address.hit(self.address)


def client_of(cookies: dict[str, str], address: str) -> Client:
    """The browser key from its signed cookie, or a new random one (nothing is stored)."""
    raw = cookies.get(BROWSER_COOKIE, "")
    try:
        key = signing.loads(raw, salt=BROWSER_SALT) if raw else None
    except signing.BadSignature:
        key = None
    if isinstance(key, str) and key:
        return Client(browser=key, address=address, new_browser=False)
    return Client(browser=secrets.token_urlsafe(16), address=address, new_browser=True)


def browser_cookie_value(client: Client) -> str:
    return signing.dumps(client.browser, salt=BROWSER_SALT, compress=False)
