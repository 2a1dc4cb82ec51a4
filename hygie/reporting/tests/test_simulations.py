"""A reported simulation is recognised however it was forwarded, recorded on its
delivery, and answered with the clues the person caught."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core import mail

from hygie.phishing.models import HitKind, SimulationEvent, SimulationResult, Verdict
from hygie.phishing.reports import record_report, simulation_delivery_in
from hygie.phishing.selectors import scenario_of
from hygie.reporting import polling
from hygie.reporting.models import Classification, Kind, Report
from hygie.reporting.tests import corpus
from hygie.reporting.tests.conftest import launch, lure_bytes, tracked_link

pytestmark = pytest.mark.django_db(transaction=True)


def without_links(lure: bytes) -> bytes:
    """The lure with its bodies replaced: only its headers still identify it."""
    message = message_from_bytes(lure, policy=default_policy)
    message.clear_content()  # type: ignore[attr-defined]
    message.set_content("(contenu supprimé par le pare-feu)")  # type: ignore[attr-defined]
    return message.as_bytes()


FORWARDS = {
    "attached": lambda lure, link: corpus.as_attachment(lure),
    "eml file": lambda lure, link: corpus.as_eml_file(lure),
    "gmail, quoted-printable": lambda lure, link: corpus.inline(lure, client="gmail"),
    "outlook, safelinks": lambda lure, link: corpus.inline(
        lure, client="outlook", language="en", rewrite_link=link
    ),
    "thunderbird, quoted and rewrapped": lambda lure, link: corpus.inline(
        lure, client="thunderbird", quote_lines=True, wrap_links=True
    ),
    "apple, no headers, base64": lambda lure, link: corpus.inline(
        lure, client="apple", headers=False, encoding="base64"
    ),
    "outlook html": lambda lure, link: corpus.inline(lure, client="outlook", as_html=True),
    "headers only": lambda lure, link: corpus.as_attachment(without_links(lure)),
}


@pytest.mark.parametrize("form", list(FORWARDS))
def test_a_forwarded_simulation_is_recorded_and_praised(
    form, simulation_delivery, mailbox, imap_account
):
    lure = lure_bytes(simulation_delivery)
    imap_account.deliver(FORWARDS[form](lure, tracked_link(simulation_delivery)))
    assert polling.poll(mailbox).processed == 1

    report = Report.objects.get()
    assert report.kind == Kind.SIMULATION
    assert report.classification == Classification.SIMULATION
    assert report.delivery == simulation_delivery
    result = SimulationResult.objects.get(delivery=simulation_delivery)
    assert result.reported_at == report.received_at
    assert result.clicked_at is None
    event = SimulationEvent.objects.get(delivery=simulation_delivery)
    assert (event.kind, event.verdict) == (HitKind.REPORT, Verdict.HUMAN)

    (reply,) = mail.outbox
    # The reply has French typography (no-break spaces): compared on plain spaces.
    body = reply.body.replace("\u202f", " ").replace("\u00a0", " ")
    assert reply.to == [corpus.REPORTER]
    assert "c'était un exercice" in reply.subject
    assert "sans ouvrir son lien" in body
    assert "environ 2 heures" in body
    flags = scenario_of(simulation_delivery).data["red_flags"]
    assert flags[0]["explanation"] in body
    # The landing page's clues are not shown to someone who never opened it.
    landing = [flag for flag in flags if flag["where"] == "landing"]
    assert landing and all(flag["explanation"] not in body for flag in landing)
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"


def test_a_report_after_a_click_still_counts_and_is_told_so(simulation_delivery):
    SimulationEvent.objects.create(
        delivery=simulation_delivery, kind=HitKind.CLICK, verdict=Verdict.HUMAN
    )
    outcome = record_report(delivery=simulation_delivery)
    assert outcome.before_click is False
    # Having seen the landing page, the person gets its clues too.
    assert len(outcome.red_flags) == len(scenario_of(simulation_delivery).data["red_flags"])
    assert outcome.time_to_report is not None
    assert timedelta(hours=1) < outcome.time_to_report < timedelta(hours=3)
    # Reporting again adds nothing.
    again = record_report(delivery=simulation_delivery)
    assert again.reported_at == outcome.reported_at
    assert SimulationEvent.objects.filter(kind=HitKind.REPORT).count() == 1


def test_a_click_by_a_link_scanner_does_not_spoil_the_best_outcome(simulation_delivery):
    SimulationEvent.objects.create(
        delivery=simulation_delivery, kind=HitKind.CLICK, verdict=Verdict.AUTOMATED
    )
    assert record_report(delivery=simulation_delivery).before_click is True


def test_tokens_of_another_organisation_are_not_recognised(simulation_delivery, other_organisation):
    text = tracked_link(simulation_delivery)
    assert simulation_delivery_in(text, organisation_id=simulation_delivery.organisation_id)
    assert simulation_delivery_in(text, organisation_id=other_organisation.pk) is None


def test_a_token_under_another_campaigns_prefix_is_not_recognised(simulation_delivery):
    text = f"https://suivi.example/autre1234/{simulation_delivery.token}/"
    assert simulation_delivery_in(text, organisation_id=simulation_delivery.organisation_id) is None


def test_an_english_speaker_is_answered_in_english(
    simulation_delivery, mailbox, imap_account, reporter
):
    reporter.language = "en"
    reporter.save()
    imap_account.deliver(corpus.as_attachment(lure_bytes(simulation_delivery)))
    polling.poll(mailbox)
    (reply,) = mail.outbox
    assert "Well spotted" in reply.body


def test_the_sms_simulation_is_recognised_from_the_pasted_text(organisation, admin, reporter):
    from hygie.reporting.intake import ingest_text

    delivery = launch(organisation, admin, "colis-en-attente-sms", timedelta(minutes=30))
    text = f"ColiRapide: Votre colis n'a pas pu etre livre... {tracked_link(delivery)}"
    report = ingest_text(organisation=organisation, text=text)
    assert report.kind == Kind.SIMULATION
    assert SimulationResult.objects.get(delivery=delivery).reported_at is not None
