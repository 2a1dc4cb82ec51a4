"""Every client and webmail of the corpus, in French and English, read back whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hygie.reporting.forward_dates import parse_printed_date, plausible_sent_at
from hygie.reporting.parsing import (
    original_recipient,
    parse_report,
    reported_sender,
    unwrap,
)
from hygie.reporting.tests import forwards

LURE = forwards.Lure()
CASES = [(client, language) for client in forwards.CLIENTS for language in forwards.LANGUAGES]
# A forward copies the date as the client prints it: to the minute at least.
SENT_AT = LURE.sent_at


@pytest.mark.parametrize(("client", "language"), CASES, ids=[f"{c}-{lang}" for c, lang in CASES])
def test_each_forward_gives_back_the_original(client, language):
    raw = forwards.CLIENTS[client](LURE, language)
    report = parse_report(raw)

    assert reported_sender(report) == LURE.sender, report.original
    assert report.original.subject == LURE.subject
    # The text survives its charset: the euro sign and the typographic apostrophe.
    assert "84,20 € n’a pas pu être versé" in report.original.text
    assert "je vous transfère" not in report.original.text
    assert "forwarding this message" not in report.original.text
    assert LURE.link in report.urls
    assert all("urldefense" not in u and "safelinks" not in u for u in report.urls)
    assert not any("w3.org" in u or "schemas.microsoft.com" in u for u in report.urls)
    assert report.domains[0] == "ameli-remboursement-fr.example"
    sent_at = parse_printed_date(report.original.date)
    assert sent_at is not None, report.original.date
    assert sent_at.astimezone(UTC).replace(second=0) == SENT_AT
    # The member the lure was sent to, whoever forwarded it to the mailbox.
    assert original_recipient(report) == forwards.REPORTER


@pytest.mark.parametrize("client", ["forward_of_forward", "attachment_of_attachment"])
def test_a_forward_of_a_forward_credits_the_first_recipient(client):
    report = parse_report(forwards.CLIENTS[client](LURE, "fr"))
    assert report.reporter == forwards.SECRETARY
    assert original_recipient(report) == forwards.REPORTER
    assert forwards.REPORTER not in report.original.sender


def test_a_raw_utf8_subject_is_read_as_utf8():
    report = parse_report(forwards.raw_utf8_subject(LURE, "fr"))
    assert report.subject == f"TR: {LURE.subject}"
    assert report.original.subject == LURE.subject


def test_windows_1252_labelled_iso_8859_1_keeps_euro_and_apostrophe():
    report = parse_report(forwards.outlook_windows(LURE, "fr"))
    assert 'Content-Type: text/plain; charset="iso-8859-1"' in forwards.outlook_windows(
        LURE, "fr"
    ).decode("ascii", "replace")
    assert "€" in report.original.text and "’" in report.original.text
    assert "\x80" not in report.original.text and "\x92" not in report.original.text


def test_proofpoint_and_safe_links_are_unwrapped():
    link = "https://ameli-remboursement-fr.example/connexion?dossier=7781&etape=2#top"
    assert unwrap(forwards.proofpoint_v3(link)) == link
    assert unwrap(forwards.proofpoint_v2(link)) == link
    assert unwrap(forwards.safelinks(link)) == link


def test_proofpoint_v3_moved_characters_are_put_back():
    wrapped = "https://urldefense.com/v3/__https://x.example/p*id*7__;Pz0!!AbC!dEf$"
    assert unwrap(wrapped) == "https://x.example/p?id=7"
    run = "https://urldefense.com/v3/__https://x.example/p**Aa__;Pz0!!AbC!dEf$"
    assert unwrap(run) == "https://x.example/p?=a"


def test_truncated_and_namespace_addresses_are_not_links():
    report = parse_report(forwards.truncated_link(LURE, "fr"))
    assert report.urls == [LURE.link]
    outlook = parse_report(forwards.outlook_windows(LURE, "en"))
    assert outlook.urls == [LURE.link]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("jeudi 26 novembre 2026 09:12", "2026-11-26T08:12"),
        ("jeu. 26 nov. 2026 à 09:12", "2026-11-26T08:12"),
        ("Thu, Nov 26, 2026 at 9:12 PM", "2026-11-26T20:12"),
        ("Thursday, November 26, 2026 12:05 AM", "2026-11-25T23:05"),
        ("26 novembre 2026 à 09:12:00 UTC+1", "2026-11-26T08:12"),
        ("26/11/26 09:12", "2026-11-26T08:12"),
        ("Mon, 13 Jul 2026 09:12:00 +0200", "2026-07-13T07:12"),
        ("lundi 13 juillet 2026 09:12", "2026-07-13T07:12"),
    ],
)
def test_printed_dates_are_read_in_paris_time(printed, expected):
    parsed = parse_printed_date(printed)
    assert parsed is not None
    assert parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") == expected


def test_unreadable_or_implausible_dates_give_nothing():
    received = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert parse_printed_date("hier matin") is None
    assert parse_printed_date("31/02/26 09:00") is None
    assert plausible_sent_at("jeudi 3 décembre 2026 09:12", received_at=received) is None
    assert plausible_sent_at("jeudi 26 novembre 2020 09:12", received_at=received) is None
    assert plausible_sent_at("jeudi 26 novembre 2026 09:12", received_at=received) == datetime(
        2026, 11, 26, 8, 12, tzinfo=UTC
    )
