"""Every first-person story of `stories` walked through the public pages, answer by answer."""

from __future__ import annotations

import html
import re

import pytest

from hygie.incidents import assistant
from hygie.incidents.content import load_tree
from hygie.incidents.tests.pages import dated, duties, section, text
from hygie.incidents.tests.stories import STORIES, Story
from hygie.testing.text import plain

pytestmark = pytest.mark.django_db


def choose(content: str, label_start: str) -> tuple[str, str]:
    """The href and full label of the answer link on the page whose label starts so."""
    links = re.findall(r'<a class="assistant-choice" href="([^"]+)">([^<]+)</a>', content)
    found = [(href, plain(html.unescape(label))) for href, label in links]
    matching = [(h, label) for h, label in found if label.startswith(label_start)]
    assert matching, f"no answer starting {label_start!r} among {[la for _, la in found]}"
    return matching[0]


def walk(client, story: Story) -> str:
    """Answer the story's questions from the start page; the outcome page's HTML."""
    page = client.get("/aide/").content.decode()
    url = ""
    for step, label in enumerate(story.answers):
        if step == 0 and re.fullmatch(r"u\d+", label):  # an urgent shortcut of the start page
            url = re.search(rf'href="(/aide/[qr]/{label}/)"', page).group(1)
        else:
            url, _ = choose(page, label)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
    assert "/aide/r/" in url, f"{story.name}: the answers stop at a question ({url})"
    response = client.get(url, {"decouverte": story.discovered})
    assert response.status_code == 200
    return response.content.decode()


def test_there_are_at_least_thirty_stories_covering_every_outcome():
    assert len(STORIES) >= 30
    assert len({s.name for s in STORIES}) == len(STORIES)
    assert {s.outcome for s in STORIES} == set(load_tree().outcomes)


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.name)
def test_a_story_reaches_the_right_advice_duties_and_deadlines(client, story):
    content = walk(client, story)
    words = text(content)
    outcome = load_tree().outcomes[story.outcome]
    title = re.search(r"<h1>(.*?) <span", content, re.S).group(1)
    assert plain(html.unescape(title)) == outcome.title.fr
    # The first thing to do is the first thing on the page.
    assert content.index('id="now-title"') < content.index('id="obligations-title"')
    for fragment in story.actions:
        assert fragment in words, f"{story.name}: missing advice {fragment!r}"
    shown_due = set(duties(content, "due"))
    if story.due is not None:
        assert shown_due == story.due, f"{story.name}: due {sorted(shown_due)}"
    assert story.to_check <= set(duties(content, "to_check")), story.name
    assert not story.to_check & shown_due
    assert story.not_required <= set(duties(content, "not_required")), story.name
    for duty in story.not_required:
        assert duty not in shown_due
    for duty, due in story.deadlines.items():
        assert duty in dated(content), f"{story.name}: {duty} has no date"
        item = re.search(
            rf'data-obligation="{duty}">(.*?)</li>', section(content, "due"), re.S
        ).group(1)
        assert f'<time datetime="{due}">' in item, f"{story.name}: {duty} not due {due}"
    for sentence in story.says:
        assert sentence in words, f"{story.name}: missing {sentence!r}"
    for word in story.absent:
        assert word not in words, f"{story.name}: should not say {word!r}"
    # Every duty the page dates is one the answers establish.
    visits, reached = assistant.walk(load_tree(), _path_of(content))
    assert {o.id for o in assistant.due_obligations(visits, reached)} == shown_due


def _path_of(content: str) -> list[str]:
    match = re.search(r'href="/aide/r/([0-9u.]+)/resume\.pdf', content)
    assert match, "the page links to its PDF"
    return assistant.parse_path(match.group(1))
