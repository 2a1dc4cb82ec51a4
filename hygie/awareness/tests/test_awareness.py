"""From a capsule to the organisation's results, through real email and the public page."""

from __future__ import annotations

import io
import re
from datetime import time

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hygie.accounts.actors import Actor
from hygie.accounts.roles import Role
from hygie.audience.models import Person, Segment
from hygie.awareness import figures as awareness_figures
from hygie.awareness.models import AwarenessCampaign, QuizAttempt, ReadingEvent
from hygie.awareness.selectors import campaign_attempts
from hygie.awareness.services import campaign_create
from hygie.delivery import sending
from hygie.delivery.models import Delivery
from hygie.delivery.services import mailing_launch
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.operations import snapshots
from hygie.operations.models import Snapshot
from hygie.operations.schedule import DUE_WORK_SOURCES
from hygie.testing.forms import DEFAULT_WINDOW
from hygie.testing.text import plain

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
)


@pytest.fixture
def campaign(organisation, admin):
    capsules_sync()
    for n in range(3):
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}@example.org",
            first_name="Élise",
            last_name=f"Durand{n}",
            civility="dr",
        )
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    capsule = Capsule.objects.get(slug="sauvegardes", language="fr")
    made = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Sauvegardes 2026",
        capsule=capsule,
        segment=segment,
    )
    made.mailing.window_days = list(range(7))
    made.mailing.window_start, made.mailing.window_end = time(0, 0), time(23, 59, 59)
    made.mailing.save()
    return made


def send_all(campaign) -> None:
    mailing_launch(mailing=campaign.mailing, actor=Actor.system())
    Delivery.objects.update(next_attempt_at=campaign.mailing.launched_at)
    while sending.send_due("w1"):
        pass


def right_answers(capsule) -> dict[str, str]:
    return {
        f"q{i}": str(next(n for n, c in enumerate(q["choices"]) if c.get("correct")))
        for i, q in enumerate(capsule.quiz)
    }


def test_the_reader_journey(campaign, client, smtp_server, organisation):
    send_all(campaign)
    assert len(smtp_server.messages) == 3
    message = smtp_server.messages[0].message
    capsule = campaign.capsule
    assert plain(str(message["Subject"])) == capsule.title
    text = plain(message.get_body(("plain",)).get_content())
    assert capsule.promise in text
    link = re.search(r"https?://\S+/c/[\w-]+/", text).group(0)
    path = "/" + link.split("/", 3)[3]

    page = client.get(path, HTTP_USER_AGENT=BROWSER)
    assert page.status_code == 200
    body = page.content.decode()
    assert "3-2-1" in body and 'href="#quiz"' in body
    assert body.count('type="radio"') == sum(len(q["choices"]) for q in capsule.quiz)

    incomplete = client.post(path, {"q0": "0"}, HTTP_USER_AGENT=BROWSER)
    assert incomplete.status_code == 400
    answers = right_answers(capsule)
    answers["q1"] = str(
        next(n for n, c in enumerate(capsule.quiz[1]["choices"]) if not c.get("correct"))
    )
    result = client.post(path, answers, HTTP_USER_AGENT=BROWSER)
    assert result.status_code == 200
    attempt = QuizAttempt.objects.get()
    assert (attempt.score, attempt.total) == (len(capsule.quiz) - 1, len(capsule.quiz))
    html = result.content.decode()
    wrong = capsule.quiz[1]["choices"][int(answers["q1"])]
    assert wrong["explanation"].replace("'", "&#x27;") in html
    assert attempt.reading_seconds is not None


def test_link_scanners_are_flagged_and_not_counted(campaign, client, smtp_server, admin, console):
    send_all(campaign)
    token = Delivery.objects.filter(is_test=False).first().token
    url = reverse("awareness:capsule", args=[token])
    client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Proofpoint URL Defense)")
    client.get(url, HTTP_USER_AGENT=BROWSER)
    flagged = ReadingEvent.objects.get(automated=True)
    assert "proofpoint" in flagged.automated_reason
    results = console(admin).get(reverse("awareness:results", args=[campaign.pk]))
    assert results.context["results"].readers == 1
    assert results.context["results"].automated_visits == 1


def test_a_large_campaigns_results_read_kept_figures_with_their_time(
    campaign, client, smtp_server, admin, console, monkeypatch
):
    send_all(campaign)
    page = reverse("awareness:results", args=[campaign.pk])
    assert console(admin).get(page).context["figures"].live
    # Its last computation took 2 s: the next views read the kept figures.
    monkeypatch.setattr(snapshots, "LIVE_BELOW_SECONDS", 0.25)
    Snapshot.objects.update(seconds=2.0)
    token = Delivery.objects.filter(is_test=False).first().token
    client.get(reverse("awareness:capsule", args=[token]), HTTP_USER_AGENT=BROWSER)
    kept = console(admin).get(page)
    assert kept.context["results"].readers == 0
    assert 'data-testid="figures-time"' in kept.content.decode()


def test_a_sent_campaign_gets_its_results_figures_prepared_by_the_scheduler(
    campaign, smtp_server, django_capture_on_commit_callbacks
):
    assert awareness_figures.prepare_results_figures in DUE_WORK_SOURCES
    send_all(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        assert awareness_figures.prepare_results_figures() == 1
        assert awareness_figures.prepare_results_figures() == 0
    job = DBTaskResult.objects.get(task_path__endswith="refresh_snapshot")
    arguments = list(awareness_figures.results_arguments(campaign, "profession"))
    assert job.args_kwargs["args"] == ["awareness_results", arguments]


def test_results_respect_the_anonymity_threshold(
    campaign, client, smtp_server, admin, console, organisation
):
    send_all(campaign)
    for delivery in Delivery.objects.filter(is_test=False)[:2]:
        client.post(
            reverse("awareness:capsule", args=[delivery.token]),
            right_answers(campaign.capsule),
            HTTP_USER_AGENT=BROWSER,
        )
    page = console(admin).get(reverse("awareness:results", args=[campaign.pk]))
    results = page.context["results"]
    assert results.quiz_takers == 2 and results.suppressed  # k = 5 by default
    assert all(q.percent_correct is None for q in results.questions)
    organisation.anonymity_threshold = 2
    organisation.save()
    results = (
        console(admin).get(reverse("awareness:results", args=[campaign.pk])).context["results"]
    )
    assert not results.suppressed
    assert results.average_score == 100.0
    assert all(q.percent_correct == 100 for q in results.questions)


def test_unknown_tokens_and_other_kinds_are_not_found(client, db):
    assert client.get(reverse("awareness:capsule", args=["nope" * 7])).status_code == 404


def test_results_of_another_organisation_are_not_found(campaign, console, outsider):
    assert (
        console(outsider).get(reverse("awareness:results", args=[campaign.pk])).status_code == 404
    )


def test_a_campaign_keeps_the_version_it_was_made_with(campaign):
    shipped = Capsule.objects.get(slug="sauvegardes", language="fr", organisation=None)
    assert AwarenessCampaign.objects.get().capsule_id == shipped.pk


def test_console_creates_a_campaign(console, admin, organisation):
    capsules_sync()
    segment = Segment.objects.create(organisation=organisation, name="Tous")
    capsule = Capsule.objects.get(slug="mises-a-jour", language="fr")
    response = console(admin).post(
        reverse("awareness:campaign_new"),
        {
            "name": "Mises à jour",
            "capsule": capsule.pk,
            "segment": segment.pk,
            **DEFAULT_WINDOW,
        },
    )
    campaign = AwarenessCampaign.objects.get()
    assert response["Location"] == reverse("delivery:mailing", args=[campaign.mailing_id])
    assert campaign.mailing.kind == "awareness"
    assert "{{ lien }}" in campaign.mailing.variants.get().text_body


def test_analysts_see_results_but_cannot_create(campaign, console, staff_of):
    client = console(staff_of(Role.ANALYST))
    assert client.get(reverse("awareness:results", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("awareness:campaign_new")).status_code == 403


def test_segments_by_awareness_history(campaign, client, smtp_server, organisation):
    from hygie.audience.segments import SegmentFilters

    send_all(campaign)
    reader = Delivery.objects.filter(is_test=False).first()
    client.get(reverse("awareness:capsule", args=[reader.token]), HTTP_USER_AGENT=BROWSER)
    scanned = Delivery.objects.filter(is_test=False).exclude(pk=reader.pk).first()
    client.get(reverse("awareness:capsule", args=[scanned.token]), HTTP_USER_AGENT="curl/8.0")
    people = Person.objects.filter(organisation=organisation)
    never = SegmentFilters(never_read_capsule=True).apply(people)
    opened = SegmentFilters(never_read_capsule=False).apply(people)
    assert list(opened) == [reader.person]
    assert reader.person not in never and never.count() == 2  # the scanner's visit does not count


def test_data_export_and_erasure_cover_the_history(campaign, client, smtp_server, admin, console):
    send_all(campaign)
    delivery = Delivery.objects.filter(is_test=False).first()
    client.post(
        reverse("awareness:capsule", args=[delivery.token]),
        right_answers(campaign.capsule),
        HTTP_USER_AGENT=BROWSER,
    )
    staff = console(admin)
    data = staff.get(
        reverse("audience:person_export", args=[delivery.person_id]), {"format": "json"}
    ).json()
    assert data["messages"][0]["mailing"] == "Sauvegardes 2026"
    assert data["messages"][0]["quiz_results"][0]["score"] == len(campaign.capsule.quiz)
    staff.post(reverse("audience:person_erase", args=[delivery.person_id]), {"confirm": "ERASE"})
    delivery.refresh_from_db()
    assert delivery.recipient == "" and delivery.person_id is not None
    assert QuizAttempt.objects.filter(delivery=delivery).exists()  # anonymous facts stay


def shown_order(html: str, question: int) -> list[str]:
    return re.findall(rf'name="q{question}" id="q{question}c\d+" value="(\d+)"', html)


def test_each_reader_sees_the_choices_in_an_order_of_their_own(campaign, client, smtp_server):
    send_all(campaign)
    tokens = list(Delivery.objects.filter(is_test=False).values_list("token", flat=True))
    pages = [
        client.get(reverse("awareness:capsule", args=[t]), HTTP_USER_AGENT=BROWSER) for t in tokens
    ]
    quiz = campaign.capsule.quiz
    orders = [[shown_order(page.content.decode(), i) for i in range(len(quiz))] for page in pages]
    assert len({str(order) for order in orders}) == len(tokens)  # three readers, three orders
    again = client.get(reverse("awareness:capsule", args=[tokens[0]]), HTTP_USER_AGENT=BROWSER)
    assert [shown_order(again.content.decode(), i) for i in range(len(quiz))] == orders[0]
    for order, question in zip(orders[0], quiz, strict=True):
        assert sorted(order) == [str(n) for n in range(len(question["choices"]))]


def test_the_score_kept_is_the_first_attempt(campaign, client, smtp_server):
    send_all(campaign)
    delivery = Delivery.objects.filter(is_test=False).first()
    path = reverse("awareness:capsule", args=[delivery.token])
    client.get(path, HTTP_USER_AGENT=BROWSER)
    capsule = campaign.capsule
    answers = right_answers(capsule)
    answers["q0"] = str(
        next(n for n, c in enumerate(capsule.quiz[0]["choices"]) if not c.get("correct"))
    )
    client.post(path, answers, HTTP_USER_AGENT=BROWSER)
    retry = client.post(path, right_answers(capsule), HTTP_USER_AGENT=BROWSER)
    total = len(capsule.quiz)
    assert f"{total - 1} sur {total}" in retry.content.decode()
    assert [a.score for a in campaign_attempts(campaign)] == [total - 1]
    assert QuizAttempt.objects.count() == 2  # the retry is recorded, not counted


@pytest.fixture
def fraud_campaign(organisation, admin):
    capsules_sync()
    Person.objects.create(
        organisation=organisation,
        email="claire@example.org",
        last_name="Martin",
        profession="secretary",
    )
    Person.objects.create(
        organisation=organisation,
        email="dr@example.org",
        last_name="Durand",
        practice_role="holder",
    )
    segment = Segment.objects.create(organisation=organisation, name="Équipe")
    made = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Fraudes",
        capsule=Capsule.objects.get(slug="fraude-telephone-sms", language="fr"),
        segment=segment,
    )
    made.mailing.window_days = list(range(7))
    made.mailing.window_start, made.mailing.window_end = time(0, 0), time(23, 59, 59)
    made.mailing.save()
    return made


def test_the_secretary_and_the_doctor_each_read_their_own_words(
    fraud_campaign, client, smtp_server
):
    send_all(fraud_campaign)
    quiz = fraud_campaign.capsule.quiz
    secretary_only = next(i for i, q in enumerate(quiz) if q.get("roles") == ["secretary"])
    pages = {}
    for delivery in Delivery.objects.filter(is_test=False).select_related("person"):
        path = reverse("awareness:capsule", args=[delivery.token])
        pages[delivery.person.email] = (path, client.get(path, HTTP_USER_AGENT=BROWSER))
    secretary = pages["claire@example.org"][1].content.decode()
    doctor = pages["dr@example.org"][1].content.decode()
    assert "Votre script à l&#x27;accueil" in secretary or "Votre script à l'accueil" in secretary
    assert "Un script pour votre secrétaire" in doctor and "Votre script" not in doctor
    assert f'name="q{secretary_only}"' in secretary and f'name="q{secretary_only}"' not in doctor

    path = pages["claire@example.org"][0]
    asked = [i for i, q in enumerate(quiz) if not q.get("roles") or "secretary" in q["roles"]]
    answers = {
        f"q{i}": str(next(n for n, c in enumerate(quiz[i]["choices"]) if c.get("correct")))
        for i in asked
    }
    client.post(path, answers, HTTP_USER_AGENT=BROWSER)
    attempt = QuizAttempt.objects.get()
    assert (attempt.score, attempt.total) == (len(asked), len(asked))
    skipped = next(i for i in range(len(quiz)) if i not in asked)
    assert attempt.answers[skipped] is None
    results = awareness_figures.selectors.results(fraud_campaign)
    assert results.quiz_takers == 1


@pytest.mark.slow  # a PDF of every capsule (see hygie/testing/selection.py)
@pytest.mark.one_database  # the pages of each sheet, the same whatever the database
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_capsule_gives_a_one_page_reflex_sheet(db, organisation, language):
    from pypdf import PdfReader

    from hygie.lib.pdf import render_pdf
    from hygie.testing.pdf import pdf_text

    capsules_sync()
    for capsule in Capsule.objects.filter(language=language, organisation=None):
        content = render_pdf(
            "awareness/fiche_pdf.html",
            {"capsule": capsule, "organisation": organisation},
            language=language,
        )
        assert len(PdfReader(io.BytesIO(content)).pages) == 1, capsule.slug
        text = pdf_text(content)
        assert " ".join(capsule.reflexes[0].split()) in text


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_reader_page_links_its_reflex_sheet(campaign, client, smtp_server):
    from hygie.testing.pdf import pdf_text

    send_all(campaign)
    token = Delivery.objects.filter(is_test=False).first().token
    page = client.get(reverse("awareness:capsule", args=[token]), HTTP_USER_AGENT=BROWSER)
    fiche = reverse("awareness:capsule_fiche", args=[token])
    assert f'href="{fiche}"' in page.content.decode()
    response = client.get(fiche)
    assert response["Content-Type"] == "application/pdf"
    assert "Fiche réflexe" in pdf_text(response.content)
    assert client.get(reverse("awareness:capsule_fiche", args=["inconnu"])).status_code == 404


def test_a_question_asked_of_too_few_readers_is_hidden(fraud_campaign, client, smtp_server):
    from hygie.awareness.selectors import results

    fraud_campaign.organisation.anonymity_threshold = 1
    fraud_campaign.organisation.save()
    send_all(fraud_campaign)
    quiz = fraud_campaign.capsule.quiz
    for delivery in Delivery.objects.filter(is_test=False).select_related("person"):
        role = "secretary" if delivery.person.profession == "secretary" else "holder"
        asked = [i for i, q in enumerate(quiz) if not q.get("roles") or role in q["roles"]]
        path = reverse("awareness:capsule", args=[delivery.token])
        client.get(path, HTTP_USER_AGENT=BROWSER)
        client.post(path, {f"q{i}": "0" for i in asked}, HTTP_USER_AGENT=BROWSER)
    fraud_campaign.organisation.anonymity_threshold = 2
    fraud_campaign.organisation.save()
    fraud_campaign.refresh_from_db()
    shown = results(fraud_campaign)
    by_text = {q.question: q.percent_correct for q in shown.questions}
    common = next(q["question"] for q in quiz if not q.get("roles"))
    secretary_only = next(q["question"] for q in quiz if q.get("roles") == ["secretary"])
    assert by_text[common] is not None  # two readers answered it
    assert by_text[secretary_only] is None  # one secretary only: hidden
