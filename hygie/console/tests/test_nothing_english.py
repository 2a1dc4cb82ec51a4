"""Every console page and every public page, rendered in French, shows no English:
no sentence of the English catalogue left untranslated (plurals included), no English
running text, and no raw code where a person expects a word."""

from __future__ import annotations

import html
import io
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.tests.test_access_matrix import CONSOLE_PAGES, OBJECT_PAGES
from hygie.conftest import sign_in
from hygie.console.tests.filled import PHONE, Filled, catch_mail, filled_organisation

__all__ = ["filled_organisation"]  # a fixture of this module

# The words on the pages, the same whatever the database (hygie/testing/selection.py).
pytestmark = pytest.mark.one_database

# Pages that are not HTML (exports) are read elsewhere.
HTML_PAGES = [(name, args) for name, args, _ in CONSOLE_PAGES if name != "audience:people_export"]
HTML_PAGES = [(name, args) for name, args in HTML_PAGES if name != "analytics:export"]
PUBLIC_PAGES = ["incidents:start", "portal:start", "accounts:login"]

# Not running text: code, and the titles of cited sources (<cite>), quoted as published.
_INVISIBLE = re.compile(r"<(script|style|code|pre|textarea|cite)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
# Words that French running text never has: an English sentence left on a page.
# (Whole words: "week-end" is French.)
_ENGLISH_WORDS = re.compile(
    r"(?<![\w-])(the|and|with|your|you|this|these|that|of|to|is|are|was|were|has|have"
    r"|no longer|people|person|sent|hits?|showed|median|window|channel|start|end)(?![\w-])"
)
# A code shown as it is stored ("credential_form", "qr_code"), outside {{ placeholders }}.
_CODE = re.compile(r"(?<![{\w])[a-z]+(?:_[a-z]+)+\b(?![^{]*}})")
# Stored values of one word that a French page shows only through their labels:
# professions, practice roles, channels, statuses, verdicts, scanner kinds (not in an
# address or a link).
_RAW_WORDS = re.compile(
    r"(?<![\w@./-])(doctor|secretary|nurse|holder|associate|locum|email|sms|qr|unsubscribed"
    r"|bounced|human|automated|uncertain|scheduled|sending|completed|cancelled|draft|paused"
    r"|failed|gateway|previewer|\(body\))(?![\w@-]|\.\w)"
)


def visible_text(page: str) -> str:
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", page))
    return " ".join(html.unescape(text).split())


def english_sentences() -> list[str]:
    """The English messages of the catalogue that French translates differently."""
    path = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    found = []
    for entry in polib.pofile(str(path)):
        for english, french in [(entry.msgid, entry.msgstr)] + (
            [(entry.msgid_plural, entry.msgstr_plural.get(1, ""))] if entry.msgid_plural else []
        ):
            # Fixed text around the %(placeholders)s, long enough to be a sentence.
            for piece in re.split(r"%\(\w+\)[sd]|\{\{.*?\}\}", english):
                piece = piece.strip(" .,:;!?()—–-")
                if len(piece.split()) >= 3 and piece not in french:
                    found.append(piece)
    return found


ENGLISH = english_sentences()


def problems(page: str) -> list[str]:
    text = visible_text(page)
    found = [f"untranslated: {s!r}" for s in ENGLISH if s in text]
    found += [
        f"English word {m.group(0)!r} in …{text[max(m.start() - 40, 0) : m.end() + 40]}…"
        for m in _ENGLISH_WORDS.finditer(text)
    ]
    found += [f"raw code {m.group(0)!r}" for m in _CODE.finditer(text)]
    found += [
        f"raw code {m.group(0)!r} in …{text[max(m.start() - 40, 0) : m.end() + 40]}…"
        for m in _RAW_WORDS.finditer(text)
    ]
    return found


@pytest.mark.parametrize(("name", "args"), HTML_PAGES)
def test_console_pages_are_all_french(console, admin, name, args):
    client = console(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert problems(response.content.decode()) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_all_french(client, db, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert problems(response.content.decode()) == []


def test_the_check_finds_english():
    page = "<p>Bonjour</p><p>9 hits showed the same pattern</p><td>credential_form</td>"
    found = problems(page)
    assert any("hits" in p for p in found) and any("credential_form" in p for p in found)
    found = problems("<td>doctor</td><td>Objet (body)</td><td>email</td>")
    assert [p.split(" in ")[0] for p in found] == [
        "raw code 'doctor'",
        "raw code '(body)'",
        "raw code 'email'",
    ]
    assert problems("<p>Écrire à doctor@cabinet.example</p>") == []
    assert problems("<p>La nuit ou le week-end : <cite>Use the source</cite></p>") == []


def test_every_french_plural_has_its_three_forms():
    """French has three plural forms here (see the catalogue's Plural-Forms): a missing
    one falls back to English for the numbers that use it."""
    path = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    incomplete = [
        entry.msgid
        for entry in polib.pofile(str(path))
        if entry.msgid_plural and not all(entry.msgstr_plural.get(n) for n in (0, 1, 2))
    ]
    assert incomplete == []


# --- With data ----------------------------------------------------------------------
# Codes and plurals show only when there is something to show: every console page again,
# and every page about one object, for an organisation filled with what a union has after
# its first months (hygie/console/tests/filled.py), plus the public pages its members see.

OBJECT_ARGS: dict[str, Callable[[Filled], tuple[object, ...]]] = {
    "audience:person": lambda f: (f.person.pk,),
    "audience:practice": lambda f: (f.practice.pk,),
    "audience:import_detail": lambda f: (f.import_job.pk,),
    "audience:segment_edit": lambda f: (f.segment.pk,),
    "audience:people_in_segment": lambda f: (f.segment.pk,),
    "delivery:mailing": lambda f: (f.simulation.mailing_id,),
    "delivery:mailing_edit": lambda f: (f.draft_mailing.pk,),
    "delivery:mailing_confirm": lambda f: (f.draft_mailing.pk, "launch"),
    "delivery:mailing_schedule": lambda f: (f.paused_mailing.pk,),
    "console:capsule_preview": lambda f: (f.capsule.pk,),
    "console:capsule_edit": lambda f: (f.capsule.pk,),
    "awareness:results": lambda f: (f.awareness.pk,),
    "desk:report": lambda f: (f.incident.pk,),
    "phishing:results": lambda f: (f.simulation.pk,),
    "phishing:campaign_preview": lambda f: (f.simulation.pk,),
    "phishing:launch_confirm": lambda f: (f.draft_simulation.pk,),
    "phishing:hits": lambda f: (f.simulation.pk,),
    "phishing:people": lambda f: (f.simulation.pk,),
    "phishing:scenario": lambda f: (f.scenario.pk,),
    "phishing:scenario_edit": lambda f: (f.scenario.pk,),
    "reporting:report": lambda f: (f.report.pk,),
    "reporting:group": lambda f: (f.group.pk,),
    "analytics:report_status": lambda f: (f.annual_report_id,),
}
# More pages of one object, with other data.
MORE_PAGES: list[tuple[str, Callable[[Filled], tuple[object, ...]]]] = [
    ("delivery:mailing", lambda f: (f.awareness.mailing_id,)),
    ("delivery:mailing", lambda f: (f.paused_mailing.pk,)),
    ("delivery:mailing", lambda f: (f.draft_mailing.pk,)),
    ("delivery:mailing_confirm", lambda f: (f.paused_mailing.pk, "cancel")),
    ("phishing:results", lambda f: (f.draft_simulation.pk,)),
    ("desk:report", lambda f: (f.extra["last_incident"],)),
]
# Object URLs that are not pages: actions (POST only) and downloads, read elsewhere.
NOT_PAGES = {
    "audience:person_export": "a JSON or CSV download",
    "audience:import_rejections": "a CSV download",
    "analytics:individual_export": "a CSV or XLSX download",
    "analytics:report_download": "a PDF",
    "reporting:group_export": "a download",
    "phishing:scenario_frame": "the scenario's own message, in a frame",
    "phishing:scenario_attachment_pdf": "a PDF",
    **dict.fromkeys(
        [
            "audience:person_erase",
            "audience:person_role",
            "audience:import_confirm",
            "audience:import_cancel",
            "audience:segment_delete",
            "delivery:mailing_action",
            "desk:report_status",
            "desk:report_assign",
            "desk:report_note",
            "desk:report_personal_data",
            "desk:report_erase",
            "desk:slot_delete",
            "reporting:report_classify",
            "reporting:report_answer",
            "reporting:report_alert",
            "reporting:group_rename",
            "reporting:group_merge",
            "reporting:group_split",
            "reporting:group_classify",
            "reporting:group_alert",
            "reporting:group_exercise",
            "phishing:scenario_publish",
            "api:token_revoke",
            "api:webhook_action",
            "api:delivery_replay",
        ],
        "an action (POST)",
    ),
}


def test_every_object_page_is_rendered_with_data():
    assert set(OBJECT_ARGS) | set(NOT_PAGES) == OBJECT_PAGES
    assert not set(OBJECT_ARGS) & set(NOT_PAGES)


@pytest.fixture
def french_console(client, filled_organisation, settings, db):
    settings.MAIL_CATCHER_ENABLED = True
    client = sign_in(client, filled_organisation.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


def _french(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    found = problems(response.content.decode())
    assert found == [], "\n".join(found)  # each problem on its line
    return found


@pytest.mark.parametrize(("name", "args"), HTML_PAGES)
def test_console_pages_with_data_are_all_french(french_console, name, args):
    assert _french(french_console.get(reverse(name, args=args))) == []


@pytest.mark.parametrize("name", sorted(OBJECT_ARGS))
def test_object_pages_with_data_are_all_french(french_console, filled_organisation, name):
    url = reverse(name, args=OBJECT_ARGS[name](filled_organisation))
    assert _french(french_console.get(url, follow=True)) == []


@pytest.mark.parametrize(("name", "args"), MORE_PAGES, ids=[n for n, _ in MORE_PAGES])
def test_more_object_pages_with_data_are_all_french(
    french_console, filled_organisation, name, args
):
    url = reverse(name, args=args(filled_organisation))
    assert _french(french_console.get(url)) == []


def test_caught_mail_pages_are_all_french(french_console, settings):
    name = catch_mail(Path(settings.MAIL_CATCHER_DIR), timezone.now())
    assert _french(french_console.get(reverse("operations:catcher_list"))) == []
    assert _french(french_console.get(reverse("operations:catcher_detail", args=[name]))) == []


# The pages a member reaches: the teachable moment after a click, the thanks after a
# report, the capsule and its quiz result, the personal space, the incident assistant.


@pytest.fixture
def member_client(filled_organisation, db):
    return Client(HTTP_ACCEPT_LANGUAGE="fr-FR", HTTP_USER_AGENT=PHONE)


def test_the_teachable_moment_and_the_report_thanks_are_all_french(
    member_client, filled_organisation, settings
):
    simulation, lure = filled_organisation.simulation, filled_organisation.lure
    base = f"/{simulation.path_prefix}/{lure.token}/"
    host = {"HTTP_HOST": settings.TRACKING_HOSTS[0], "REMOTE_ADDR": "10.1.2.3"}
    assert _french(member_client.get(base, **host)) == []
    other = (
        simulation.mailing.deliveries.exclude(pk=lure.pk).exclude(person=None).order_by("-pk")
    ).first()
    thanks = member_client.post(f"/{simulation.path_prefix}/{other.token}/r/", **host)
    assert _french(thanks) == []


def test_the_capsule_and_its_quiz_result_are_all_french(member_client, filled_organisation):
    delivery = filled_organisation.capsule_delivery
    url = reverse("awareness:capsule", args=[delivery.token])
    assert _french(member_client.get(url)) == []
    answers = {f"q{n}": "0" for n in range(len(filled_organisation.capsule.quiz))}
    assert _french(member_client.post(url, answers)) == []


def test_the_personal_space_is_all_french(member_client, filled_organisation):
    from hygie.portal.models import AccessLink
    from hygie.portal.selectors import token_hash

    person = filled_organisation.lure.person
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        person=person,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    assert _french(member_client.get(reverse("portal:link", args=[token]))) == []
    member_client.post(reverse("portal:link", args=[token]))
    assert _french(member_client.get(reverse("portal:home"))) == []
    exercise = reverse("portal:exercise", args=[filled_organisation.lure.pk])
    assert _french(member_client.get(exercise)) == []


def test_every_step_of_the_incident_assistant_is_all_french(member_client, filled_organisation):
    from hygie.incidents.assistant import outcome_paths
    from hygie.incidents.content import load_tree

    slug = filled_organisation.organisation.slug
    seen: set[str] = set()
    found: list[str] = []
    for steps, outcome in outcome_paths(load_tree()):
        for n in range(1, len(steps)):
            path = ".".join(steps[:n])
            if path not in seen:
                seen.add(path)
                page = member_client.get(reverse("incidents:org_step", args=[slug, path]))
                found += [f"{path}: {p}" for p in _french(page)]
        if outcome.id not in seen:
            seen.add(outcome.id)
            result = reverse("incidents:org_result", args=[slug, ".".join(steps)])
            found += [f"{outcome.id}: {p}" for p in _french(member_client.get(result))]
    assert found == []


def test_the_incident_report_thanks_page_is_all_french(member_client, filled_organisation):
    from django.core import signing

    from hygie.incidents.views.public import SENT_SALT

    token = signing.dumps(filled_organisation.incident.reference, salt=SENT_SALT)
    url = reverse("incidents:org_sent", args=[filled_organisation.organisation.slug, token])
    assert _french(member_client.get(url)) == []


def test_the_sms_report_page_is_all_french(member_client, filled_organisation):
    url = reverse("reporting_public:sms", args=[filled_organisation.organisation.slug])
    assert _french(member_client.get(url)) == []
    sent = member_client.post(
        url, {"text": "Votre colis est bloqué : https://colis.example/x", "email": ""}
    )
    assert "sms_reported" in [t.name.split("/")[-1].split(".")[0] for t in sent.templates]
    assert _french(sent) == []


def _xlsx_cells(content: bytes) -> list[str]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]


def test_every_xlsx_export_with_data_is_french_and_shows_no_apostrophe(
    french_console, filled_organisation
):
    """A text cell of an XLSX is never run as a formula: an apostrophe in front of a
    value (the CSV's guard) would only show, and its headers are read by French staff."""
    from hygie.analytics.exports import PROGRAMME_TABLES

    urls = [reverse("audience:people_export") + "?format=xlsx"]
    urls += [reverse("analytics:export", args=[table, "xlsx"]) for table in PROGRAMME_TABLES]
    urls += [
        reverse(
            "analytics:individual_export",
            args=[kind, campaign.pk, "xlsx"],
        )
        for kind, campaign in (
            ("simulation", filled_organisation.simulation),
            ("awareness", filled_organisation.awareness),
        )
    ]
    found = []
    for url in urls:
        response = french_console.get(url)
        assert response.status_code == 200, url
        cells = _xlsx_cells(response.content)
        found += [f"{url}: {cell!r}" for cell in cells if cell.startswith("'")]
        found += [f"{url}: {p}" for p in problems("<p>" + " | ".join(cells) + "</p>")]
    assert found == [], "\n".join(found)
