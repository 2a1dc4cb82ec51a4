"""Generator of the detector's labelled corpus (bench/data/detector_corpus.jsonl.gz).

Each family is built from what its owners or browsers document about it, not from
the detector's rules: the header sets browsers send on a navigation (Accept,
Accept-Language, Accept-Encoding, Sec-Fetch-*, and client hints for Chromium
only), the beacon a page sends after a real interaction, the published ranges of
mail-security gateways and the addresses they also use outside them (cloud
regions, other data centres), sandboxes that follow every link of a message,
link previewers fetching from the address of the person who forwarded the link,
Apple Mail fetching images on delivery, Gmail fetching them through its proxy
when the person opens, and people: alone, colleagues behind one office address
(some with the same corporate browser build), subscribers behind a mobile
operator's carrier-grade NAT (many on the same phone and version), and homes on
IPv6 whose addresses rotate inside their /64.

Run `python -m bench.detector_corpus` to write the corpus again (deterministic for
a seed); the benchmark replays the kept file, so that figures are comparable
from one change of the detector to the next.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "data" / "detector_corpus.jsonl.gz"

# --- Browsers ---------------------------------------------------------------------

NAVIGATE = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROMIUM_NAVIGATE = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
LANGUAGES = [
    "fr-FR,fr;q=0.9",
    "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr",
    "fr-FR",
    "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3",
    "fr-FR,fr;q=0.9,en;q=0.8,de;q=0.6",
    "en-GB,en;q=0.9,fr;q=0.8",
]


@dataclass(frozen=True)
class Browser:
    agent: str
    chromium: int = 0  # major version when the browser sends client hints
    brand: str = "Google Chrome"
    platform: str = "Windows"
    mobile: bool = False
    fetch_metadata: bool = True  # Safari before 16.4 sent no Sec-Fetch-*
    firefox: bool = False


def _browsers() -> list[Browser]:
    found = []
    for version in (129, 130, 131):
        found += [
            Browser(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                f"Gecko) Chrome/{version}.0.0.0 Safari/537.36",
                chromium=version,
            ),
            Browser(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                f"Gecko) Chrome/{version}.0.0.0 Safari/537.36 Edg/{version}.0.0.0",
                chromium=version,
                brand="Microsoft Edge",
            ),
            Browser(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                f"like Gecko) Chrome/{version}.0.0.0 Safari/537.36",
                chromium=version,
                platform="macOS",
            ),
            Browser(
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{version}.0.0.0 Mobile Safari/537.36",
                chromium=version,
                platform="Android",
                mobile=True,
            ),
        ]
    found += [
        Browser(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            firefox=True,
        ),
        Browser(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
            firefox=True,
        ),
        Browser(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15"
        ),
        Browser(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
        ),
        Browser(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
        ),
        Browser(
            "Mozilla/5.0 (iPad; CPU OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
            fetch_metadata=False,
        ),
        # Chrome on iOS is Safari's engine: no client hints.
        Browser(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
        ),
        Browser(
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
            "Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            chromium=122,
            brand="Samsung Internet",
            platform="Android",
            mobile=True,
        ),
    ]
    return found


BROWSERS = _browsers()
# What phones behind a mobile operator mostly run (many alike).
PHONES = [b for b in BROWSERS if b.mobile or "iPhone" in b.agent]


def page_headers(browser: Browser, language: str, *, site: str = "none") -> dict[str, str]:
    """What the browser sends when a person follows a link to a page."""
    headers = {
        "HTTP_USER_AGENT": browser.agent,
        "HTTP_ACCEPT": CHROMIUM_NAVIGATE if browser.chromium else NAVIGATE,
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"
        if browser.chromium or browser.firefox
        else "gzip, deflate, br",
        "HTTP_UPGRADE_INSECURE_REQUESTS": "1",
    }
    if browser.fetch_metadata:
        headers.update(
            HTTP_SEC_FETCH_SITE=site,
            HTTP_SEC_FETCH_MODE="navigate",
            HTTP_SEC_FETCH_USER="?1",
            HTTP_SEC_FETCH_DEST="document",
        )
    headers.update(_hints(browser))
    return headers


def _hints(browser: Browser) -> dict[str, str]:
    if not browser.chromium:
        return {}
    v = browser.chromium
    return {
        "HTTP_SEC_CH_UA": f'"{browser.brand}";v="{v}", "Chromium";v="{v}", "Not_A Brand";v="24"',
        "HTTP_SEC_CH_UA_MOBILE": "?1" if browser.mobile else "?0",
        "HTTP_SEC_CH_UA_PLATFORM": f'"{browser.platform}"',
    }


def beacon_headers(browser: Browser, language: str) -> dict[str, str]:
    """The page's beacon (navigator.sendBeacon) after a real interaction."""
    headers = {
        "HTTP_USER_AGENT": browser.agent,
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"
        if browser.chromium or browser.firefox
        else "gzip, deflate, br",
    }
    if browser.fetch_metadata:
        headers.update(
            HTTP_SEC_FETCH_SITE="same-origin",
            HTTP_SEC_FETCH_MODE="no-cors",
            HTTP_SEC_FETCH_DEST="empty",
        )
    headers.update(_hints(browser))
    return headers


def image_headers(browser: Browser, language: str) -> dict[str, str]:
    """A mail client or webmail fetching the open image itself."""
    return {
        "HTTP_USER_AGENT": browser.agent,
        "HTTP_ACCEPT": "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
    }


# --- Addresses ----------------------------------------------------------------------


def _pick(rng: random.Random, cidr: str) -> str:
    network = ipaddress.ip_network(cidr)
    return str(network[rng.randrange(1, network.num_addresses - 1)])


# French fixed-line and business access (people).
HOME_V4 = ["90.0.0.0/9", "82.64.0.0/10", "86.192.0.0/11", "78.192.0.0/10", "176.128.0.0/10"]
# Mobile operators' carrier-grade NAT: a few public addresses for many subscribers.
CGNAT = ["92.184.96.0/22", "37.166.0.0/22", "80.215.0.0/22", "176.151.0.0/22"]
HOME_V6 = ["2a01:cb00::/24", "2a01:e0a::/32", "2a02:8428::/32", "2001:861::/32"]
# Published gateway ranges (content/scanners) and what the same services also use.
EOP = ["40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/14", "104.47.0.0/17"]
AZURE = ["20.40.0.0/13", "13.64.0.0/11", "52.136.0.0/13", "51.103.0.0/16"]
MIMECAST = ["91.220.42.0/24", "195.130.217.0/24", "207.211.30.0/24"]
MIMECAST_OTHER = ["185.58.84.0/22", "51.163.158.0/23"]
PROOFPOINT = ["148.163.128.0/19", "67.231.144.0/20"]
BARRACUDA = ["64.235.144.0/20", "209.222.80.0/21"]
CLOUD = ["3.64.0.0/12", "34.64.0.0/10", "18.184.0.0/15", "35.156.0.0/14", "159.89.0.0/16"]
GOOGLE_PROXY = ["66.249.80.0/20", "66.102.0.0/20"]
APPLE = ["17.58.0.0/16", "17.123.0.0/16"]


# --- Robots' requests -----------------------------------------------------------------

STALE_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
OLD_IE = "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko"


def tool_headers(rng: random.Random) -> dict[str, str]:
    """An HTTP library behind a gateway, in its own name or dressed as a browser."""
    agent = rng.choice(
        [
            "python-requests/2.31.0",
            "Go-http-client/1.1",
            "Java/17.0.9",
            "okhttp/4.12.0",
            STALE_CHROME,
            OLD_IE,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        ]
    )
    headers = {"HTTP_USER_AGENT": agent, "HTTP_ACCEPT": rng.choice(["*/*", ""])}
    if rng.random() < 0.7:
        headers["HTTP_ACCEPT_ENCODING"] = "gzip, deflate"
    return {k: v for k, v in headers.items() if v}


def headless_headers(rng: random.Random) -> dict[str, str]:
    """A headless Chromium in a sandbox, with or without its telltale agent."""
    version = rng.choice((120, 124, 131))
    browser = Browser(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"{'HeadlessChrome' if rng.random() < 0.4 else 'Chrome'}/{version}.0.0.0 Safari/537.36",
        chromium=version,
        brand="HeadlessChrome",
    )
    headers = page_headers(browser, rng.choice(["en-US", "en-US,en;q=0.9"]))
    if rng.random() < 0.3:
        headers.pop("HTTP_ACCEPT_LANGUAGE")
    return headers


def spoofed_browser_headers(rng: random.Random) -> dict[str, str]:
    """A sandbox driving a non-Chromium engine while claiming Chrome (client hints
    absent or inconsistent), or a real Chromium whose hints contradict its agent."""
    if rng.random() < 0.5:
        return {
            "HTTP_USER_AGENT": STALE_CHROME,
            "HTTP_ACCEPT": NAVIGATE,
            "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.5",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
            "HTTP_SEC_FETCH_MODE": "navigate",
            "HTTP_SEC_FETCH_SITE": "none",
            "HTTP_SEC_FETCH_DEST": "document",
            "HTTP_SEC_CH_UA": '"Chromium";v="131", "Not_A Brand";v="24"',
        }
    firefox = Browser(
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", firefox=True
    )
    headers = page_headers(firefox, "en-US,en;q=0.5")
    headers["HTTP_SEC_CH_UA"] = '"Chromium";v="128", "Not;A=Brand";v="24"'
    return headers


PREVIEWERS = [
    "WhatsApp/2.24.25.78 A",
    "WhatsApp/2.24.24.80 i",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
    "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
]
GMAIL_PROXY = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
)


# --- The corpus ----------------------------------------------------------------------


@dataclass
class Corpus:
    rng: random.Random
    hits: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        recipient: int,
        at: float,
        kind: str,
        label: str,
        family: str,
        address: str,
        headers: dict[str, str],
        method: str = "GET",
    ) -> None:
        self.hits.append(
            {
                "recipient": recipient,
                "at": round(at, 3),
                "kind": kind,  # click, hidden, submit, report, beacon, open
                "label": label,  # human, robot
                "family": family,
                "method": method,
                "address": address,
                "headers": headers,
            }
        )


@dataclass
class Person:
    recipient: int
    family: str
    address: str
    browser: Browser
    language: str
    ipv6_prefix: str = ""

    def where(self, rng: random.Random) -> str:
        """An address of the person at one moment (IPv6 privacy addresses rotate)."""
        if self.ipv6_prefix:
            return _pick(rng, self.ipv6_prefix)
        return self.address


def _people(rng: random.Random, count: int) -> Iterator[Person]:
    recipient = 0
    cgnat = [_pick(rng, cidr) for cidr in CGNAT for _ in range(3)]
    while recipient < count:
        draw = rng.random()
        if draw < 0.35:  # alone, fixed line
            yield Person(
                recipient,
                "person alone",
                _pick(rng, rng.choice(HOME_V4)),
                rng.choice(BROWSERS),
                rng.choice(LANGUAGES),
            )
            recipient += 1
        elif draw < 0.45:  # colleagues of a practice behind one address
            office = _pick(rng, rng.choice(HOME_V4))
            corporate = rng.choice(BROWSERS[:8]), rng.choice(LANGUAGES[:2])
            for _ in range(rng.randint(3, 8)):
                same = rng.random() < 0.5
                browser, language = (
                    corporate if same else (rng.choice(BROWSERS), rng.choice(LANGUAGES))
                )
                yield Person(
                    recipient, "person sharing an office address", office, browser, language
                )
                recipient += 1
        elif draw < 0.80:  # a phone behind a mobile operator's CGNAT
            yield Person(
                recipient,
                "person behind a mobile CGNAT",
                rng.choice(cgnat),
                rng.choice(PHONES),
                rng.choice(LANGUAGES[:3]),
            )
            recipient += 1
        else:  # a home on IPv6
            prefix = ipaddress.ip_network(f"{_pick(rng, rng.choice(HOME_V6))}/64", strict=False)
            yield Person(
                recipient,
                "person on IPv6",
                "",
                rng.choice(BROWSERS),
                rng.choice(LANGUAGES),
                ipv6_prefix=str(prefix),
            )
            recipient += 1


MAIL_SETUPS = [
    # (share, name): who handles the person's mail before them.
    (0.30, "microsoft"),
    (0.08, "mimecast"),
    (0.05, "proofpoint"),
    (0.04, "barracuda"),
    (0.03, "other gateway"),
    (0.25, "gmail"),
    (0.25, "plain"),
]


def _setup(rng: random.Random) -> str:
    draw, total = rng.random(), 0.0
    for share, name in MAIL_SETUPS:
        total += share
        if draw < total:
            return name
    return "plain"


def generate(seed: int = 16, recipients: int = 2400) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    corpus = Corpus(rng)
    people = list(_people(rng, recipients))
    for person in people:
        setup = _setup(rng)
        _gateway(corpus, person, setup)
        _opens(corpus, person, setup)
        _person(corpus, person, setup)
        if rng.random() < 0.01:
            _stealth(corpus, person)
    _bursts(corpus, people)
    corpus.hits.sort(key=lambda hit: hit["at"])
    return corpus.hits


def _gateway(corpus: Corpus, person: Person, setup: str) -> None:
    """What the person's mail security does with the message's links on delivery."""
    rng, r = corpus.rng, person.recipient
    soon = rng.uniform(1, 240)  # seconds after delivery
    if setup == "microsoft" and rng.random() < 0.6:
        # Safe Links detonation: a sandbox in Microsoft's ranges or in Azure regions,
        # following every link, the hidden one included.
        inside = rng.random() < 0.55
        address = _pick(rng, rng.choice(EOP if inside else AZURE))
        headers = headless_headers(rng) if rng.random() < 0.5 else tool_headers(rng)
        corpus.add(r, soon, "click", "robot", "Microsoft Defender detonation", address, headers)
        if rng.random() < 0.7:
            corpus.add(
                r,
                soon + rng.uniform(0.2, 3),
                "hidden",
                "robot",
                "Microsoft Defender detonation",
                address,
                headers,
            )
    elif setup == "mimecast":
        inside = rng.random() < 0.6
        address = _pick(rng, rng.choice(MIMECAST if inside else MIMECAST_OTHER))
        headers = tool_headers(rng) if rng.random() < 0.6 else spoofed_browser_headers(rng)
        corpus.add(r, soon, "click", "robot", "Mimecast URL Protect", address, headers)
    elif setup == "proofpoint":
        address = _pick(rng, rng.choice(PROOFPOINT))
        headers = tool_headers(rng) if rng.random() < 0.5 else headless_headers(rng)
        corpus.add(r, soon, "click", "robot", "Proofpoint URL Defense", address, headers)
        if rng.random() < 0.5:
            corpus.add(
                r,
                soon + rng.uniform(0.2, 2),
                "hidden",
                "robot",
                "Proofpoint URL Defense",
                address,
                headers,
            )
    elif setup == "barracuda":
        address = _pick(rng, rng.choice(BARRACUDA))
        method = "HEAD" if rng.random() < 0.3 else "GET"
        corpus.add(
            r,
            soon,
            "click",
            "robot",
            "Barracuda link protection",
            address,
            tool_headers(rng),
            method,
        )
    elif setup == "other gateway":
        # A gateway whose ranges are given per customer (Cisco and others): none listed.
        address = _pick(rng, rng.choice(CLOUD))
        choice = rng.random()
        if choice < 0.35:
            headers, method = tool_headers(rng), "HEAD"
        elif choice < 0.7:
            headers, method = spoofed_browser_headers(rng), "GET"
        else:
            headers, method = headless_headers(rng), "GET"
        corpus.add(
            r,
            rng.uniform(1, 900),
            "click",
            "robot",
            "gateway outside published ranges",
            address,
            headers,
            method,
        )
        if method == "GET" and rng.random() < 0.5:
            corpus.add(
                r,
                rng.uniform(900, 1000),
                "hidden",
                "robot",
                "gateway outside published ranges",
                address,
                headers,
            )


def _stealth(corpus: Corpus, person: Person) -> None:
    """A sandbox indistinguishable from a person's browser on every header, minutes
    after delivery, that neither follows the hidden link nor moves on the page: no
    detector reading requests can tell it (it stays uncertain). Kept in the corpus
    so that the figures do not pretend otherwise."""
    rng = corpus.rng
    headers = page_headers(rng.choice(BROWSERS[:8]), "en-US,en;q=0.9")
    corpus.add(
        person.recipient,
        rng.uniform(60, 1800),
        "click",
        "robot",
        "stealth sandbox",
        _pick(rng, rng.choice(CLOUD)),
        headers,
    )


def _opens(corpus: Corpus, person: Person, setup: str) -> None:
    rng, r = corpus.rng, person.recipient
    apple_mail = "iPhone" in person.browser.agent or (
        "Macintosh" in person.browser.agent and rng.random() < 0.5
    )
    if apple_mail:
        # Apple Mail with Mail Privacy Protection: on delivery, read or not, through
        # Apple's proxies (Apple's own network or its relay partners'), bare agent.
        relay = rng.choice([*APPLE, "172.224.0.0/16", "104.28.0.0/16"])
        headers = {"HTTP_USER_AGENT": "Mozilla/5.0", "HTTP_ACCEPT": "*/*"}
        corpus.add(
            r,
            rng.uniform(5, 600),
            "open",
            "robot",
            "Apple Mail Privacy Protection",
            _pick(rng, relay),
            headers,
        )
        return
    if rng.random() < 0.4:
        return  # images blocked, or never opened
    later = rng.uniform(120, 2 * 86400)
    if setup == "gmail":
        corpus.add(
            r,
            later,
            "open",
            "human",
            "Gmail image proxy (a person's open)",
            _pick(rng, rng.choice(GOOGLE_PROXY)),
            {"HTTP_USER_AGENT": GMAIL_PROXY, "HTTP_ACCEPT_ENCODING": "gzip,deflate,br"},
        )
    else:
        corpus.add(
            r,
            later,
            "open",
            "human",
            person.family,
            person.where(rng),
            image_headers(person.browser, person.language),
        )


def _person(corpus: Corpus, person: Person, setup: str) -> None:
    """Whether the person clicks, fills the form, reports; and a forward to a chat."""
    rng, r = corpus.rng, person.recipient
    # Most people of an office read the message when they arrive: clicks cluster.
    start = rng.choice((rng.uniform(300, 5400), rng.uniform(120, 3 * 86400)))
    if rng.random() < 0.08:  # forwards the message to a chat: the app draws a preview
        corpus.add(
            r,
            start - rng.uniform(30, 100),
            "click",
            "robot",
            "link previewer",
            person.where(rng),
            {"HTTP_USER_AGENT": rng.choice(PREVIEWERS)},
        )
    if rng.random() < 0.35:
        if setup == "microsoft" and rng.random() < 0.3:
            # Safe Links' time-of-click check, from Microsoft's ranges, just before the person.
            corpus.add(
                r,
                start - rng.uniform(0.3, 2),
                "click",
                "robot",
                "Microsoft Safe Links click-time check",
                _pick(rng, rng.choice(EOP)),
                tool_headers(rng),
            )
        site = "cross-site" if setup == "gmail" else "none"
        corpus.add(
            r,
            start,
            "click",
            "human",
            person.family,
            person.where(rng),
            page_headers(person.browser, person.language, site=site),
        )
        if rng.random() < 0.9:  # moves, scrolls or types: the page's beacon
            corpus.add(
                r,
                start + rng.uniform(1, 40),
                "beacon",
                "human",
                person.family,
                person.where(rng),
                beacon_headers(person.browser, person.language),
                "POST",
            )
            if rng.random() < 0.3:
                submit = page_headers(person.browser, person.language, site="same-origin")
                corpus.add(
                    r,
                    start + rng.uniform(40, 150),
                    "submit",
                    "human",
                    person.family,
                    person.where(rng),
                    submit,
                    "POST",
                )
    elif rng.random() < 0.2:
        # Reports from the message's link: the confirmation page, then the button.
        corpus.add(
            r,
            start + 5,
            "beacon",
            "human",
            person.family,
            person.where(rng),
            beacon_headers(person.browser, person.language),
            "POST",
        )
        report = page_headers(person.browser, person.language, site="same-origin")
        corpus.add(
            r,
            start + rng.uniform(6, 30),
            "report",
            "human",
            person.family,
            person.where(rng),
            report,
            "POST",
        )


def _bursts(corpus: Corpus, people: list[Person]) -> None:
    """Crawlers: one identical fetcher reaching many recipients within a minute."""
    rng = corpus.rng
    for _ in range(8):
        address = _pick(rng, rng.choice(CLOUD))
        headers = rng.choice([headless_headers(rng), page_headers(rng.choice(BROWSERS), "en-US")])
        start = rng.uniform(60, 20000)
        for index, person in enumerate(rng.sample(people, 12)):
            corpus.add(
                person.recipient,
                start + 4 * index,
                "click",
                "robot",
                "crawler burst",
                address,
                headers,
            )


def write(path: Path = CORPUS, seed: int = 16) -> int:
    hits = generate(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same corpus gives the same bytes.
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        for hit in hits:
            raw.write((json.dumps(hit, sort_keys=True, ensure_ascii=False) + "\n").encode())
    return len(hits)


def read(path: Path = CORPUS) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16)
    arguments = parser.parse_args()
    print(f"{write(seed=arguments.seed)} hits written to {CORPUS.name}")
