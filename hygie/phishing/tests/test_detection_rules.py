"""Each classification rule of the detector, on single requests, with the shipped
scanner knowledge (content/scanners) as it is loaded by default."""

from __future__ import annotations

import html
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from hygie.lib.visits import Visit
from hygie.phishing.detection import (
    AWAITING,
    MACHINE_OPEN,
    NO_LANGUAGE,
    NOT_NAVIGATION,
    PROXY_OPEN,
    classify,
    classify_open,
    forget_known_scanners,
)
from hygie.phishing.models import KnownScanner, ScannerNetwork, Verdict
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db
factory = RequestFactory()
SENT = timezone.now() - timedelta(hours=2)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
# What Chrome 131 on Windows sends when a person follows a link from their mail.
CHROME_PAGE = {
    "HTTP_USER_AGENT": CHROME,
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,image/apng,*/*;q=0.8",
    "HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en-US;q=0.8",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd",
    "HTTP_SEC_CH_UA": '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
    "HTTP_SEC_CH_UA_MOBILE": "?0",
    "HTTP_SEC_CH_UA_PLATFORM": '"Windows"',
    "HTTP_SEC_FETCH_SITE": "none",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_USER": "?1",
    "HTTP_SEC_FETCH_DEST": "document",
}


@pytest.fixture(autouse=True)
def _fresh_knowledge():
    forget_known_scanners()
    yield
    forget_known_scanners()


def _click(address: str = "198.51.100.20", **headers: str) -> tuple[str, list[str]]:
    request = Visit.from_request(factory.get("/", REMOTE_ADDR=address, **headers))
    return classify(request, sent_at=SENT, now=timezone.now(), awaiting_page=True)


def _open(address: str = "198.51.100.20", **headers: str) -> tuple[str, list[str]]:
    request = Visit.from_request(factory.get("/", REMOTE_ADDR=address, **headers))
    return classify_open(request, sent_at=SENT, now=timezone.now())


def test_a_persons_browser_waits_for_the_page_and_nothing_else():
    assert _click(**CHROME_PAGE) == (Verdict.UNCERTAIN, [AWAITING])


@pytest.mark.parametrize(
    ("address", "family"),
    [
        ("40.107.22.31", "Microsoft Exchange Online Protection"),
        ("2a01:111:f400:fe1e::30", "Microsoft Exchange Online Protection"),
        ("195.130.217.80", "Mimecast"),
        ("148.163.150.12", "Proofpoint"),
        ("209.222.82.140", "Barracuda"),
    ],
)
def test_published_gateway_ranges_are_robots_by_default(address, family):
    verdict, reasons = _click(address, **CHROME_PAGE)
    assert verdict == Verdict.AUTOMATED
    assert any(r.startswith(f"known scanner: {family}") for r in reasons), reasons


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        ("WhatsApp/2.24.25.78 A", "WhatsApp"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Meta"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slack"),
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
            "skype-url-preview@microsoft.com",
            "Microsoft Teams",
        ),
        ("TelegramBot (like TwitterBot)", "Telegram"),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discord"),
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "LinkedIn",
        ),
        ("Twitterbot/1.0", "X (Twitter)"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like "
            "Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
            "Apple Messages",
        ),
    ],
)
def test_link_previewers_are_robots_named_after_their_app(agent, family):
    verdict, reasons = _click(**{**CHROME_PAGE, "HTTP_USER_AGENT": agent, "HTTP_SEC_CH_UA": ""})
    assert verdict == Verdict.AUTOMATED
    assert any(r.startswith(f"link previewer: {family}") for r in reasons), reasons


def test_client_hints_give_away_a_headless_browser():
    hints = '"HeadlessChrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'
    verdict, reasons = _click(**{**CHROME_PAGE, "HTTP_SEC_CH_UA": hints})
    assert verdict == Verdict.AUTOMATED and "client hints: HeadlessChrome" in reasons


@pytest.mark.parametrize(
    "change",
    [
        # Firefox sends no client hints.
        {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0"},
        {"HTTP_SEC_CH_UA": '"Google Chrome";v="118", "Chromium";v="118"'},
        {"HTTP_SEC_CH_UA_PLATFORM": '"Linux"'},
        {"HTTP_SEC_CH_UA_MOBILE": "?1"},
    ],
)
def test_client_hints_that_contradict_the_user_agent_are_a_robot(change):
    verdict, reasons = _click(**{**CHROME_PAGE, **change})
    assert verdict == Verdict.AUTOMATED
    assert "client hints: do not match the user agent" in reasons


def test_a_tool_dressed_as_a_browser_is_not_a_navigation():
    verdict, reasons = _click(HTTP_USER_AGENT=CHROME, HTTP_ACCEPT="*/*")
    assert verdict == Verdict.AUTOMATED and NOT_NAVIGATION in reasons
    # A browser that only lacks a language stays uncertain (and counts).
    verdict, reasons = _click(**{**CHROME_PAGE, "HTTP_ACCEPT_LANGUAGE": ""})
    assert verdict == Verdict.UNCERTAIN and NO_LANGUAGE in reasons


def test_head_prefetch_and_seconds_after_delivery_are_robots():
    head = Visit.from_request(factory.head("/", REMOTE_ADDR="198.51.100.20", **CHROME_PAGE))
    assert classify(head, sent_at=SENT, now=timezone.now())[0] == Verdict.AUTOMATED
    assert _click(**CHROME_PAGE, HTTP_SEC_PURPOSE="prefetch")[0] == Verdict.AUTOMATED
    now = timezone.now()
    fast = Visit.from_request(factory.get("/", REMOTE_ADDR="198.51.100.20", **CHROME_PAGE))
    verdict, reasons = classify(fast, sent_at=now - timedelta(seconds=4), now=now)
    assert verdict == Verdict.AUTOMATED and "4 s after delivery" in reasons


def test_apple_mail_privacy_protection_is_a_machine_open():
    assert _open(HTTP_USER_AGENT="Mozilla/5.0") == (Verdict.AUTOMATED, [MACHINE_OPEN])
    apple = _open("17.58.101.9", HTTP_USER_AGENT="Mozilla/5.0 (Macintosh)")
    assert apple == (Verdict.AUTOMATED, [MACHINE_OPEN])


def test_gmails_image_proxy_is_a_persons_open_with_unknown_device():
    agent = (
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    )
    assert _open("66.249.84.10", HTTP_USER_AGENT=agent) == (Verdict.HUMAN, [PROXY_OPEN])
    # The same proxy never follows a link for a person.
    assert _click("66.249.84.10", HTTP_USER_AGENT=agent)[0] == Verdict.AUTOMATED


def test_a_previewer_fetching_the_image_is_no_open():
    verdict, _reasons = _open(HTTP_USER_AGENT="WhatsApp/2.24.25.78 A")
    assert verdict == Verdict.AUTOMATED


def test_a_persons_mail_client_open_counts():
    verdict, _reasons = _open(
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
        "Thunderbird/128.5.0",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert verdict == Verdict.HUMAN


# --- The data file -------------------------------------------------------------


def test_the_shipped_knowledge_is_dated_sourced_and_loaded_on_migrate():
    rows = list(KnownScanner.objects.all())
    assert {row.family for row in rows} >= {
        "microsoft-eop",
        "mimecast",
        "proofpoint",
        "barracuda",
        "cisco-secure-email",
        "google-safety",
        "meta",
        "whatsapp",
        "slack",
        "microsoft-teams",
        "telegram",
        "discord",
        "linkedin",
        "x-twitter",
        "apple-messages",
    }
    assert all(row.sources and row.reviewed for row in rows)


def test_an_update_without_release_replaces_the_shipped_rows_and_keeps_staff_ones(
    tmp_path: Path, organisation
):
    ScannerNetwork.objects.create(organisation=organisation, cidr="192.0.2.0/24", label="Ours")
    (tmp_path / "update.yaml").write_text(
        "reviewed: 2027-01-15\n"
        "families:\n"
        "  - id: new-gateway\n"
        "    label: New gateway\n"
        "    description: {fr: Une passerelle., en: A gateway.}\n"
        "    kind: gateway\n"
        "    sources: ['Vendor documentation, 2027']\n"
        "    networks: [203.0.113.0/24]\n",
        encoding="utf-8",
    )
    call_command("load_scanners", directory=str(tmp_path), stdout=io.StringIO())
    assert list(KnownScanner.objects.values_list("family", flat=True)) == ["new-gateway"]
    assert ScannerNetwork.objects.filter(organisation=organisation).count() == 1
    assert _click("203.0.113.5", **CHROME_PAGE)[1][0] == "known scanner: New gateway"
    # Back to the shipped files.
    call_command("load_scanners", stdout=io.StringIO())
    assert KnownScanner.objects.filter(family="mimecast").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("families: []\n", "'reviewed' must be a date"),
        ("reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: X\n    kind: robot\n", "'kind'"),
        (
            "reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: X\n    kind: gateway\n"
            "    networks: [10.0.0.0/8]\n",
            "'sources'",
        ),
        (
            "reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: X\n    kind: gateway\n"
            "    sources: [doc]\n    networks: [not-a-range]\n",
            "'not-a-range' is not an address range",
        ),
        (
            "reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: X\n    kind: gateway\n"
            "    sources: [doc]\n    networks: [0.0.0.0/1]\n",
            "too wide",
        ),
        (
            "reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: X\n    kind: gateway\n"
            "    sources: [doc]\n    networks: [192.0.2.0/24]\n"
            "    description: A gateway that checks links.\n",
            "'description' must give its French and English texts (fr, en)",
        ),
        (
            "reviewed: 2027-01-15\nfamilies:\n  - id: x\n    label: {fr: Passerelle}\n"
            "    kind: gateway\n    sources: [doc]\n    networks: [192.0.2.0/24]\n"
            "    description: {fr: Une passerelle., en: A gateway.}\n",
            "'label' must give its French and English texts (fr, en)",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_fault_and_changes_nothing(tmp_path, text, message):
    before = KnownScanner.objects.count()
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.yaml") as error:
        call_command("load_scanners", directory=str(tmp_path))
    assert message in str(error.value)
    assert KnownScanner.objects.count() == before


def test_staff_see_the_shipped_knowledge_beside_their_own_ranges(console, admin):
    page = console(admin).get(reverse("phishing:scanners")).content.decode()
    assert "Analyseurs connus, actifs par défaut" in page
    assert "Mimecast Email Security" in page and "WhatsApp" in page
    assert "learn.microsoft.com" in page


def test_each_family_is_described_in_the_readers_language(console, admin):
    client = console(admin)
    french = plain(html.unescape(client.get(reverse("phishing:scanners")).content.decode()))
    assert "Proxy d'images de Gmail" in french
    assert "Gmail télécharge les images d'un message par ses propres serveurs" in french
    assert "Gmail image proxy" not in french
    english = plain(
        html.unescape(
            client.get(reverse("phishing:scanners"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
    )
    assert "Gmail image proxy" in english
    assert "Gmail downloads a message's images through its own servers" in english


def test_a_family_is_stored_in_english_and_shown_in_the_readers_language():
    from django.utils import translation

    from hygie.phishing.reasons import forget_family_names, reason_label

    forget_family_names()
    agent = "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5"
    _verdict, reasons = _click(**{**CHROME_PAGE, "HTTP_USER_AGENT": agent, "HTTP_SEC_CH_UA": ""})
    stored = "link previewer: Microsoft Teams and Skype link previews"
    assert stored in reasons
    with translation.override("fr"):
        assert plain(reason_label(stored)) == (
            "aperçu de lien : Aperçus de liens de Microsoft Teams et Skype"
        )
    with translation.override("en"):
        assert reason_label(stored) == stored
