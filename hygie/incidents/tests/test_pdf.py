"""The outcome as a downloadable PDF: same facts and deadlines as the page, nothing stored."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hygie.incidents import antispam
from hygie.incidents.content import load_tree
from hygie.incidents.models import IncidentReport
from hygie.incidents.views import public
from hygie.testing.pdf import pdf_text

pytestmark = pytest.mark.django_db

# A fixed window starts again at each multiple of its length: one this long is not
# crossed while a test runs (an hour's is, now and then, and the test then fails).
LONG_WINDOW = 10**9


def test_the_outcome_page_links_to_its_pdf_with_the_discovery_time(client):
    response = client.get("/aide/r/u0/", {"decouverte": "2025-11-28T14:05"})
    assert 'href="/aide/r/u0/resume.pdf?decouverte=2025-11-28T14%3A05"' in response.content.decode()


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_pdf_gives_the_actions_deadlines_contacts_and_sources(client):
    tree = load_tree()
    outcome = tree.outcomes["ransomware"]

    response = client.get("/aide/r/u0/resume.pdf", {"decouverte": "2025-11-28T14:05"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="incident-ransomware-20251128-1405.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert outcome.title.fr in text
    assert "vendredi 28 novembre 2025 à 14:05" in text  # the discovery
    assert "lundi 1er décembre 2025 14:05" in text  # 72 hours later, on short lines
    assert " ".join(outcome.actions[0].text.fr.split()) in text
    for contact in outcome.contacts:
        assert " ".join(contact.name.fr.split()) in text
    unwrapped = text.replace(" ", "")  # long addresses wrap anywhere
    for source in outcome.sources:
        assert source.url in unwrapped


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_pdf_follows_the_language_and_the_organisation(client, organisation):
    tree = load_tree()
    client.cookies["django_language"] = "en"
    response = client.get(
        f"/aide/o/{organisation.slug}/r/u0/resume.pdf", {"decouverte": "2025-11-28T14:05"}
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert tree.outcomes["ransomware"].title.en in text
    assert "Monday 1 December 2025" in text
    assert organisation.name in text
    assert IncidentReport.objects.count() == 0  # a PDF sends nothing to anyone


@pytest.mark.parametrize("value", ["demain", "2025-13-40T10:00", "2999-01-01T00:00"])
def test_a_wrong_discovery_time_is_refused_rather_than_replaced(client, value):
    response = client.get("/aide/r/u0/resume.pdf", {"decouverte": value})
    assert response.status_code == 400
    assert "L'heure de découverte n'est pas valide" in response.content.decode()


def test_an_unknown_path_or_organisation_is_not_found(client):
    assert client.get("/aide/r/9.9.9/resume.pdf").status_code == 404
    assert client.get("/aide/o/nobody/r/u0/resume.pdf").status_code == 404
    # A path that stops at a question leads back to the question, not to a PDF.
    assert client.get("/aide/r/1/resume.pdf").status_code == 302


@pytest.fixture
def no_rendering(monkeypatch):
    """For the tests of the limits, which count PDFs and do not read them (the tests above
    do): rendering one takes half a second."""
    monkeypatch.setattr(public, "render_pdf", lambda *_args, **_kwargs: b"%PDF-1.7\n")


def test_pdfs_are_limited_per_browser_with_a_helpful_page_and_the_printable_fallback(
    client, monkeypatch, no_rendering
):
    monkeypatch.setattr(antispam, "PDFS_PER_BROWSER", antispam.RateLimit("pdf", 2, LONG_WINDOW))
    url = "/aide/r/u0/resume.pdf?decouverte=2025-11-28T14%3A05"
    for _ in range(3):
        assert client.head(url).status_code == 200  # a link checker's HEAD is not counted
    for _ in range(2):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    content = refused.content.decode()
    assert refused["Content-Type"].startswith("text/html")
    assert "Le résumé PDF est momentanément indisponible" in content
    assert 'href="/aide/r/u0/resume/?decouverte=2025-11-28T14%3A05"' in content
    printable = client.get("/aide/r/u0/resume/", {"decouverte": "2025-11-28T14:05"})
    assert printable.status_code == 200
    assert "1er décembre 2025" in printable.content.decode()
    # Another browser behind the same address still gets its PDF.
    assert Client().get(url).status_code == 200


def test_the_pdf_has_a_generous_ceiling_per_address(monkeypatch, no_rendering):
    monkeypatch.setattr(antispam, "PDFS_PER_ADDRESS", antispam.RateLimit("pdf-a", 2, LONG_WINDOW))
    for _ in range(2):
        assert Client().get("/aide/r/u0/resume.pdf").status_code == 200
    assert Client().get("/aide/r/u0/resume.pdf").status_code == 429


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_pdf_tells_to_go_in_person_to_the_police(client):
    response = client.get("/aide/r/u0/resume.pdf", {"decouverte": "2025-11-28T14:05"})
    text = pdf_text(response.content)
    assert "Commissariat de police ou brigade de gendarmerie" in text
    police = text.rsplit("Commissariat de police ou brigade de gendarmerie (plainte)", 1)[1][:40]
    assert "Sur place" in police
    assert "coordonnées dont vous disposez" not in police


def test_the_pdf_route_exists_for_both_guides():
    assert reverse("incidents:pdf", kwargs={"path": "u0"}) == "/aide/r/u0/resume.pdf"
    assert (
        reverse("incidents:org_pdf", kwargs={"organisation": "x", "path": "u0"})
        == "/aide/o/x/r/u0/resume.pdf"
    )


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_a_due_date_stays_on_three_short_lines_in_the_pdf(client):
    """Weekday, date and time each on one unbroken line of the due-date column."""
    response = client.get("/aide/r/u0/resume.pdf", {"decouverte": "2025-11-28T14:05"})
    lines: list[str] = []

    def collect(text, *_args) -> None:
        if text.strip():
            lines.append(text.strip())

    for page in PdfReader(BytesIO(response.content)).pages:
        page.extract_text(visitor_text=collect)
    assert "1er décembre 2025" in lines  # the date is one line of its own, never broken
    index = lines.index("1er décembre 2025")
    assert lines[index - 1] == "lundi"
    assert lines[index + 1] == "14:05"
