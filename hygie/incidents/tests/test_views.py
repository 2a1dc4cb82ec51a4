"""The public pages of the assistant, walked as a visitor would, in French and in English."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from hygie.incidents import assistant
from hygie.incidents.content import load_tree

pytestmark = pytest.mark.django_db  # the national pages list the unions

START = "/aide/"


def page(response) -> str:
    # Pages leave with French typography (no-break spaces): compared on plain spaces here.
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def link_to(response, label: str) -> str:
    """The href of the answer link whose text is `label` (as the visitor reads it)."""
    pattern = r'<a class="assistant-choice" href="([^"]+)">' + re.escape(html.escape(label))
    match = re.search(pattern + "</a>", page(response))
    assert match, f"no answer link {label!r}"
    return match.group(1)


def test_the_start_page_puts_the_urgent_shortcuts_first(client):
    response = client.get(START)

    assert response.status_code == 200
    content = page(response)
    tree = load_tree()
    for entry in tree.urgent:
        assert html.escape(entry.label.fr) in content
    urgent = content.index("assistant-urgent")
    assert urgent < content.index(html.escape(tree.start_question.text.fr))
    assert link_to(response, tree.urgent[0].label.fr) == "/aide/r/u0/"  # straight to the outcome
    assert link_to(response, tree.urgent[1].label.fr) == "/aide/q/u1/"
    for answer in tree.start_question.answers:
        assert html.escape(answer.label.fr) in content
    assert 'lang="fr"' in content


def test_walking_through_the_pages_reaches_an_outcome_with_a_72_hour_deadline(client):
    start = client.get(START)
    step = client.get(link_to(start, "J'ai reçu un e-mail suspect"))
    assert step.status_code == 200
    assert "Qu&#x27;avez-vous fait avec cet e-mail ?" in page(step)
    assert 'aria-current="step"' in page(step)
    assert re.search(r'class="assistant-back" href="/aide/"', page(step))

    outcome_url = link_to(step, "J'ai ouvert une pièce jointe")
    assert outcome_url == "/aide/r/1.1/"
    # Friday 28 November 2025 at 14:05 → the complaint is due 72 h later.
    response = client.get(outcome_url, {"decouverte": "2025-11-28T14:05"})

    assert response.status_code == 200
    content = page(response)
    assert "Ordinateur ou téléphone peut-être compromis" in content
    assert "lundi 1er décembre 2025" in content
    assert '<time datetime="2025-12-01T14:05:00+01:00">' in content
    assert 'value="2025-11-28T14:05"' in content  # the form keeps the visitor's time
    # The actions come in order, numbered; sources are listed with their review date.
    assert content.index("Coupez l&#x27;appareil du réseau") < content.index(
        "Cessez de l&#x27;utiliser"
    )
    assert '<ol class="assistant-actions">' in content
    assert 'href="https://17cyber.gouv.fr"' in content
    assert 'id="source-1"' in content
    assert "28 novembre 2026" in content  # last reviewed


def test_the_outcome_page_counts_from_now_until_a_time_is_given(client):
    response = client.get("/aide/r/0/")

    assert response.status_code == 200
    assert page(response).count("<time datetime=") == 2  # CNIL and complaint, 72 h each
    assert 'type="datetime-local"' in page(response)


def test_a_deadline_across_the_spring_change_is_shown_in_paris_time(client):
    response = client.get("/aide/r/0/", {"decouverte": "2025-03-28T10:00"})
    assert '<time datetime="2025-03-31T11:00:00+02:00">' in page(response)


def test_phone_contacts_are_tel_links(client):
    # Fake bank advisor: Info Escroqueries and France Victimes.
    response = client.get("/aide/r/u1.1/")
    content = page(response)
    assert '<a href="tel:0805805817">08 05 80 58 17</a>' in content
    assert '<a href="tel:116006">116 006</a>' in content


@pytest.mark.parametrize("value", ["demain", "2025-13-40T10:00", "2025-11-28", "0001-01-01T00:00"])
def test_a_malformed_discovery_time_shows_an_error_and_no_deadline(client, value):
    response = client.get("/aide/r/0/", {"decouverte": value})

    assert response.status_code == 200
    content = page(response)
    assert 'role="alert"' in content
    assert 'aria-invalid="true"' in content
    assert "<time datetime=" not in content
    assert "assistant-due" not in content


def test_a_discovery_in_the_future_is_refused(client):
    client.cookies["django_language"] = "en"
    response = client.get("/aide/r/0/", {"decouverte": "2999-01-01T10:00"})
    assert "The discovery cannot be in the future." in page(response)
    assert "<time datetime=" not in page(response)


def test_a_time_typed_by_hand_is_understood(client):
    response = client.get("/aide/r/0/", {"decouverte": "28/11/2025 14:05"})
    assert '<time datetime="2025-12-01T14:05:00+01:00">' in page(response)


@pytest.mark.parametrize(
    "url",
    [
        "/aide/q/99/",
        "/aide/q/abc/",
        "/aide/q/01/",
        "/aide/q/1.2.3.4.5/",
        "/aide/r/u9/",
        "/aide/r/0.0/",
        "/aide/r/1.u0/",
        "/aide/r/" + ".".join(["1"] * 150) + "/",
    ],
)
def test_an_unknown_path_is_a_404(client, url):
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 404
    assert "This step does not exist" in page(response)
    assert 'href="/aide/"' in page(response)


def test_a_path_is_served_by_the_page_of_its_kind(client):
    assert client.get("/aide/q/0/").url == "/aide/r/0/"  # an outcome, not a question
    assert client.get("/aide/r/1/").url == "/aide/q/1/"  # a question, not an outcome


def test_pages_only_answer_reads(client):
    assert client.post(START).status_code == 405
    assert client.post("/aide/r/0/").status_code == 405
    assert client.head(START).status_code == 200


def test_the_english_version(client):
    client.cookies["django_language"] = "en"
    tree = load_tree()

    start = page(client.get(START))
    assert 'lang="en"' in start
    assert html.escape(tree.start_question.text.en) in start
    assert html.escape(tree.urgent[0].label.en) in start
    assert "Cyber incident assistant" in start

    content = page(client.get("/aide/r/u0/", {"decouverte": "2025-11-28T14:05"}))
    assert tree.outcomes["ransomware"].title.en in content
    assert "Monday 1 December 2025" in content
    assert tree.outcomes["ransomware"].title.fr not in content


def test_every_outcome_page_renders(client):
    seen = set()
    for path, outcome in assistant.outcome_paths(load_tree()):
        if outcome.id in seen:
            continue
        seen.add(outcome.id)
        url = reverse("incidents:result", kwargs={"path": assistant.format_path(path)})
        response = client.get(url)
        assert response.status_code == 200, url
        assert html.escape(outcome.title.fr) in page(response)
        assert 'id="contact-organisation"' in page(response)  # the referent is always listed
    assert seen == set(load_tree().outcomes)


def test_pages_have_no_inline_script_or_style(client):
    for url in (START, "/aide/q/1/", "/aide/r/0/"):
        content = page(client.get(url))
        assert "<script" not in content
        assert "<style" not in content
        assert " style=" not in content
