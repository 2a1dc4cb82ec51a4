"""An organisation's assistant, and sending it a report: consent, robots, limits, callbacks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.incidents import antispam, services
from hygie.incidents.content import load_tree
from hygie.incidents.models import CallbackSlot, IncidentReport, ReportStatus
from hygie.incidents.tests.helpers import (
    PHISHING_NO_DATA,
    RANSOMWARE,
    make_report,
    make_slot,
    report_data,
    token,
)
from hygie.incidents.views.public import SENT_SALT

pytestmark = pytest.mark.django_db

# A fixed window starts again at each multiple of its length: one this long is not
# crossed while a test runs (an hour's is, now and then, and the test then fails).
LONG_WINDOW = 10**9


def page(response) -> str:
    return response.content.decode()


def send_url(organisation) -> str:
    return reverse("incidents:org_send", kwargs={"organisation": organisation.slug})


def outcome_url(organisation, path: str = RANSOMWARE) -> str:
    return reverse("incidents:org_result", kwargs={"organisation": organisation.slug, "path": path})


def send(client, organisation, **overrides):
    return client.post(send_url(organisation), report_data(**overrides))


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- The organisation's address ----------------------------------------------------------


def test_the_organisation_address_shows_its_brand_and_keeps_its_prefix(client, organisation):
    organisation.brand_name = "URPS Démo"
    organisation.save()

    response = client.get("/aide/o/urps-test/")

    assert response.status_code == 200
    content = page(response)
    assert "URPS Démo" in content
    assert 'href="/aide/o/urps-test/r/u0/"' in content  # urgent shortcut, same prefix
    assert 'href="/aide/o/urps-test/q/1/"' in content
    assert 'href="/aide/r/u0/"' not in content
    step = client.get("/aide/o/urps-test/q/1/")
    assert 'class="assistant-back" href="/aide/o/urps-test/"' in page(step)
    assert client.get("/aide/o/urps-test/q/0/").url == "/aide/o/urps-test/r/0/"
    assert client.get("/aide/o/urps-test/r/1/").url == "/aide/o/urps-test/q/1/"


@pytest.mark.parametrize(
    "url", ["/aide/o/inconnue/", "/aide/o/inconnue/q/1/", "/aide/o/inconnue/r/0/"]
)
def test_an_unknown_organisation_is_a_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert 'href="/aide/"' in page(response)


def test_an_inactive_organisation_is_a_404(client, organisation):
    organisation.is_active = False
    organisation.save()
    assert client.get("/aide/o/urps-test/").status_code == 404
    assert send(client, organisation).status_code == 404
    assert not IncidentReport.objects.exists()


def test_a_bad_path_under_an_organisation_keeps_its_prefix(client, organisation):
    response = client.get("/aide/o/urps-test/r/99/")
    assert response.status_code == 404
    assert 'href="/aide/o/urps-test/"' in page(response)


def test_the_outcome_names_the_organisation_among_the_contacts(english, organisation):
    organisation.reply_to_email = "cyber@urps-test.example"
    organisation.save()

    content = page(english.get(outcome_url(organisation)))

    card = re.search(r'<li class="card" id="contact-organisation">(.*?)</li>', content, re.S)
    assert card, "no organisation contact"
    assert "URPS Médecins Test" in card.group(1)
    assert 'href="mailto:cyber@urps-test.example"' in card.group(1)
    assert 'href="#report"' in card.group(1)


def test_the_sender_address_is_used_without_a_reply_to(english, organisation):
    organisation.reply_to_email = ""
    organisation.sender_email = "securite@urps-test.example"
    organisation.save()
    content = page(english.get(outcome_url(organisation)))
    assert 'href="mailto:securite@urps-test.example"' in content


def test_the_national_guide_has_no_form_but_leads_to_each_union_in_one_tap(
    client, organisation, other_organisation
):
    other_organisation.is_active = False
    other_organisation.save()
    content = page(client.get("/aide/r/0/"))
    assert 'id="report"' not in content
    assert 'id="contact-organisation"' in content  # the generic referent card stays
    # From the top of the page, one tap to the list of unions…
    top = content.index('class="assistant-help-link" href="#unions"')
    assert top < content.index('id="now-title"')
    # …each leading to the same outcome in its own guide, at its help form.
    assert '<a class="assistant-choice" href="/aide/o/urps-test/r/0/#report">' in content
    assert other_organisation.public_name not in content  # only active organisations
    start = page(client.get("/aide/"))
    assert 'href="#unions"' in start
    assert '<a class="assistant-choice" href="/aide/o/urps-test/">' in start


def test_an_organisation_outcome_reaches_its_help_form_from_the_top(client, organisation):
    content = page(client.get(outcome_url(organisation)))
    link = content.index('class="assistant-help-link" href="#report"')
    assert link < content.index('id="now-title"')
    assert 'id="report"' in content


def test_the_outcome_page_offers_the_form_with_an_unticked_consent(english, organisation):
    response = english.get(outcome_url(organisation), {"decouverte": "2025-11-28T14:05"})

    content = page(response)
    form = re.search(r'<form method="post" action="([^"]+)"', content)
    assert form and form.group(1) == "/aide/o/urps-test/envoyer/#report"
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', content)
    assert consent and "checked" not in consent.group(0)
    assert "passed on to URPS Médecins Test" in content
    assert 'name="path" value="0"' in content
    assert 'name="outcome" value="ransomware"' in content
    assert 'name="decouverte" value="2025-11-28T14:05"' in content
    assert 'name="token"' in content
    assert 'class="assistant-trap" aria-hidden="true"' in content
    assert not IncidentReport.objects.exists()  # showing the form stores nothing


def test_organisation_pages_have_no_inline_script_or_style(client, organisation):
    make_slot(organisation)
    for url in ("/aide/o/urps-test/", "/aide/o/urps-test/q/1/", outcome_url(organisation)):
        content = page(client.get(url))
        assert "<script" not in content
        assert "<style" not in content
        assert " style=" not in content


# --- Sending -----------------------------------------------------------------------------


def test_a_report_is_sent_with_consent_and_confirmed_with_a_reference(
    client, organisation, admin, handler, member, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, organisation, phone="06 12 34 56 78")

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.organisation == organisation
    assert report.path == "0"
    assert report.outcome_id == "ransomware"
    assert report.severity == "critical"
    assert report.outcome_title == load_tree().outcomes["ransomware"].title.fr
    assert report.discovered_at == dt.datetime(2025, 11, 28, 13, 5, tzinfo=dt.UTC)
    assert report.name == "Dr Élise Martin"
    assert report.phone == "+33612345678"
    assert report.status == ReportStatus.NEW
    assert report.consented_at is not None
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", report.reference)

    confirmation = client.get(response.url)
    assert confirmation.status_code == 200
    assert report.reference in page(confirmation)
    assert 'href="/aide/o/urps-test/r/0/?decouverte=2025-11-28T14%3A05"' in page(confirmation)

    # Each incident handler (administrators included) gets an email; other roles do not.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.email, handler.email])
    message = mail.outbox[0]
    assert report.reference in message.subject
    assert f"/console/incidents/{report.pk}/" in message.body
    # No personal detail leaves the console by email.
    for secret in ("Élise", "elise.martin@example.org", "0612345678", "+33612345678", ".lock"):
        assert secret not in message.body
        assert secret not in message.alternatives[0][0]


def test_nothing_is_stored_without_the_consent_box(english, organisation):
    response = send(english, organisation, consent=None)

    assert response.status_code == 400
    assert not IncidentReport.objects.exists()
    content = page(response)
    assert "Tick the box to agree, or nothing can be sent." in content
    # The page comes back filled in, with a fresh token.
    assert 'value="Dr Élise Martin"' in content
    assert 'name="outcome" value="ransomware"' in content


def test_an_email_or_a_phone_is_required(english, organisation):
    response = send(english, organisation, email="", phone="")
    assert response.status_code == 400
    assert "Give an email address or a phone number" in page(response)
    assert not IncidentReport.objects.exists()


def test_a_bad_phone_number_is_refused(english, organisation):
    response = send(english, organisation, phone="12")
    assert response.status_code == 400
    assert "Enter a valid phone number" in page(response)
    assert not IncidentReport.objects.exists()


def test_a_missing_discovery_time_is_refused(english, organisation):
    response = send(english, organisation, decouverte="")
    assert response.status_code == 400
    assert "Enter a valid discovery time above" in page(response)
    assert not IncidentReport.objects.exists()


def test_the_honeypot_is_refused_and_nothing_stored(
    english, organisation, handler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(english, organisation, homepage="https://spam.example")
    assert response.status_code == 400
    assert "a field meant to catch robots was filled in" in page(response)
    assert not IncidentReport.objects.exists()
    assert mail.outbox == []
    # The page comes back with the trap emptied: pressing Send again goes through.
    assert 'name="homepage" value="https' not in page(response)


def test_a_submission_faster_than_a_person_is_refused_with_its_reason(english, organisation):
    # Issued now: the token keeps whole seconds, so one issued "1 s ago" may already look
    # two seconds old when a busy machine takes a moment to answer.
    response = send(english, organisation, token=token(seconds_ago=0), message="Écran noir")
    assert response.status_code == 400
    assert "only a few seconds after the page opened" in page(response)
    assert "Écran noir" in page(response)  # the text is kept
    assert not IncidentReport.objects.exists()
    # The page comes back with a new token: sent a little later, it goes through.
    fresh = re.search(r'name="token" value="([^"]+)"', page(response)).group(1)
    assert antispam.read_token(fresh, now=antispam.time.time() + 10)


@pytest.mark.parametrize("bad", ["", "forged", "e30:1ab:xyz"])
def test_a_missing_or_forged_token_is_refused(client, organisation, bad):
    assert send(client, organisation, token=bad).status_code == 400
    assert not IncidentReport.objects.exists()


def test_an_expired_token_is_refused(english, organisation):
    response = send(english, organisation, token=token(seconds_ago=antispam.MAX_AGE + 60))
    assert response.status_code == 400
    assert "open for too long" in page(response)
    assert not IncidentReport.objects.exists()


@pytest.mark.parametrize("path", ["99", "1", "", "0.0", "x"])  # "1" is a question
def test_a_path_that_leads_nowhere_stores_nothing(client, organisation, path):
    response = client.post(send_url(organisation), {**report_data(), "path": path})
    assert response.status_code == 404
    assert not IncidentReport.objects.exists()


def test_a_report_for_a_stale_outcome_is_refused(english, organisation):
    response = send(english, organisation, outcome="computer_compromised")
    assert response.status_code == 400
    assert "The guide was updated" in page(response)
    assert not IncidentReport.objects.exists()


def sent_reference(url: str) -> str:
    token = url.rstrip("/").rsplit("/", 1)[1]
    return signing.loads(token, salt=SENT_SALT)


def test_sending_the_same_page_twice_makes_one_report(client, organisation):
    data = report_data()
    first = client.post(send_url(organisation), data)
    second = client.post(send_url(organisation), data)
    assert first.status_code == second.status_code == 302
    # Both lead to the confirmation of the same report (the signed links carry their time).
    assert sent_reference(first.url) == sent_reference(second.url)
    assert IncidentReport.objects.count() == 1


def test_a_get_on_the_send_address_goes_back_to_the_start(client, organisation):
    assert client.get(send_url(organisation)).url == "/aide/o/urps-test/"


def test_the_confirmation_needs_its_signed_link(client, organisation, other_organisation):
    response = send(client, organisation)
    assert client.get(response.url).status_code == 200
    token_part = response.url.rstrip("/").rsplit("/", 1)[1]
    forged = reverse(
        "incidents:org_sent", kwargs={"organisation": organisation.slug, "token": "AAAA-BBBB"}
    )
    assert client.get(forged).status_code == 404
    elsewhere = reverse(
        "incidents:org_sent", kwargs={"organisation": other_organisation.slug, "token": token_part}
    )
    assert client.get(elsewhere).status_code == 404


# --- Rate limit --------------------------------------------------------------------------


def test_five_reports_an_hour_per_browser_and_the_refusal_keeps_the_text(client, organisation):
    limit = antispam.REPORTS_PER_BROWSER.limit
    for _ in range(limit):
        assert send(client, organisation).status_code == 302
    refused = send(client, organisation, message="Le serveur affiche un message en anglais")
    assert refused.status_code == 429
    content = page(refused)
    assert "Le serveur affiche un message en anglais" in content  # the text is kept
    assert "Trop de signalements" in content  # and the reason is given
    assert IncidentReport.objects.count() == limit
    # Another browser behind the same address (a group practice) is not affected.
    other = Client()
    assert send(other, organisation).status_code == 302
    assert IncidentReport.objects.count() == limit + 1


def test_a_generous_ceiling_per_address_stops_a_robot_that_drops_cookies(
    client, organisation, monkeypatch
):
    monkeypatch.setattr(
        antispam, "REPORTS_PER_ADDRESS", antispam.RateLimit("reports-address", 3, LONG_WINDOW)
    )
    for _ in range(3):
        assert send(Client(), organisation).status_code == 302
    assert send(Client(), organisation).status_code == 429
    assert IncidentReport.objects.count() == 3


def test_robot_submissions_count_against_the_limit_but_typos_do_not(client, organisation):
    for _ in range(3):
        send(client, organisation, consent=None)  # a person's mistakes
    send(client, organisation, token=token(seconds_ago=0))  # a quick autofilled submit
    assert antispam.REPORTS_PER_ADDRESS.count("127.0.0.1") == 0
    for _ in range(antispam.REPORTS_PER_BROWSER.limit):
        send(client, organisation, homepage="spam")
    assert send(client, organisation).status_code == 429
    assert not IncidentReport.objects.exists()


def test_the_rate_limit_window_passes():
    limit = antispam.RateLimit(name="test", limit=2, window=3600)
    now = 1_000_000 * 3600.0
    limit.hit("a", now)
    limit.hit("a", now)
    assert limit.exceeded("a", now)
    assert not limit.exceeded("b", now)
    assert not limit.exceeded("a", now + 3600)


# --- Callbacks ---------------------------------------------------------------------------


def test_a_callback_slot_is_booked(english, organisation):
    slot = make_slot(organisation)
    content = page(english.get(outcome_url(organisation)))
    assert f'name="slot" value="{slot.pk}"' in content
    assert "No call, thank you" in content

    response = send(english, organisation, slot=str(slot.pk), phone="0612345678")

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.slot == slot and report.wants_callback
    assert "You will be called back on" in page(english.get(response.url))


def test_a_callback_needs_a_phone_number(english, organisation):
    slot = make_slot(organisation)
    response = send(english, organisation, slot=str(slot.pk), phone="")
    assert response.status_code == 400
    assert "Give a phone number so that the team can call you back." in page(response)
    assert not IncidentReport.objects.exists()


def test_a_full_slot_is_refused(english, organisation):
    slot = make_slot(organisation, capacity=1)
    other = make_slot(organisation, hours_from_now=72)
    make_report(organisation, slot=slot, phone="+33612345678")
    content = page(english.get(outcome_url(organisation)))
    assert f'value="{slot.pk}"' not in content  # no longer offered
    assert f'value="{other.pk}"' in content

    # Someone who opened the page before it filled up still chooses it.
    response = send(english, organisation, slot=str(slot.pk), phone="0612345678")

    assert response.status_code == 400
    assert "This time slot is no longer available." in page(response)
    assert IncidentReport.objects.count() == 1


def test_the_last_place_is_checked_again_when_storing(organisation):
    """Two people on the page at once: the second one finds the slot full."""
    slot = make_slot(organisation, capacity=2)
    make_report(organisation, slot=slot, phone="+33612345678")
    make_report(organisation, slot=slot, phone="+33612345679")
    with pytest.raises(services.SlotUnavailable):
        make_report(organisation, slot=slot, phone="+33612345670")
    assert slot.bookings.count() == 2


def test_past_and_foreign_slots_are_not_offered(client, organisation, other_organisation):
    past = make_slot(organisation, hours_from_now=-1)
    foreign = make_slot(other_organisation)
    content = page(client.get(outcome_url(organisation)))
    assert 'name="slot"' not in content  # nothing to choose: no callback offered
    for slot in (past, foreign):
        response = send(client, organisation, slot=str(slot.pk), phone="0612345678")
        assert response.status_code == 400
        assert f'name="slot" value="{slot.pk}"' not in page(response)
    assert not IncidentReport.objects.exists()


def test_a_report_without_obligation_is_accepted(client, organisation):
    response = send(client, organisation, path=PHISHING_NO_DATA)
    assert response.status_code == 302
    assert IncidentReport.objects.get().severity == "low"


def test_the_handlers_email_is_in_the_organisation_language(
    client, organisation, handler, django_capture_on_commit_callbacks
):
    organisation.language = "en"
    organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(client, organisation)
    (message,) = mail.outbox
    assert message.subject.startswith("New incident report")
    assert load_tree().outcomes["ransomware"].title.en in message.subject


def test_slot_bookings_are_counted(organisation):
    slot = make_slot(organisation, capacity=3)
    make_report(organisation, slot=slot, phone="+33612345678")
    annotated = CallbackSlot.objects.with_bookings().get(pk=slot.pk)
    assert annotated.booking_count() == 1
    assert slot.booking_count() == 1
    assert not annotated.is_full
    assert list(CallbackSlot.objects.available()) == [slot]


def test_a_report_is_dated_when_sent(organisation):
    before = timezone.now()
    report = make_report(organisation)
    assert before <= report.created_at <= timezone.now()
    assert report.consented_at == report.created_at


def test_a_mail_server_failure_does_not_fail_the_report(
    client, organisation, handler, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, organisation)

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.reference in page(client.get(response.url))
    assert "could not be sent" in caplog.text


@pytest.mark.parametrize(
    ("typed", "stored"), [("33", "33"), ("Gironde (33)", "33"), ("2a", "2A"), ("", "")]
)
def test_the_departement_is_optional_and_normalised(client, organisation, typed, stored):
    response = client.post(send_url(organisation), report_data(departement=typed))
    assert response.status_code == 302
    assert IncidentReport.objects.get().departement == stored


def test_an_unknown_departement_is_refused_with_nothing_stored(client, organisation):
    response = client.post(send_url(organisation), report_data(departement="99"))
    assert response.status_code == 400
    assert "département" in response.content.decode()
    assert IncidentReport.objects.count() == 0
