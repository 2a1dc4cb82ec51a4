"""The personal space: magic link, the person's own history (never anyone else's),
preferences, the yearly certificate, and the rate limit of the link form."""

from __future__ import annotations

import re
import secrets
import shutil
import smtplib
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry, User
from hygie.audience.models import Person, PersonStatus, Segment, Suppression
from hygie.awareness.models import EventKind, QuizAttempt, ReadingEvent
from hygie.awareness.services import campaign_create as awareness_campaign_create
from hygie.delivery.models import Delivery, DeliveryStatus, SendingProfile
from hygie.delivery.services import mailing_launch
from hygie.lib.typography import french_text
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.phishing.content.scenarios import scenarios_sync
from hygie.phishing.models import Scenario, SimulationAnnouncement, SimulationResult
from hygie.phishing.services import campaign_create as simulation_create
from hygie.phishing.services import campaign_launch
from hygie.portal import selectors, throttling
from hygie.portal.models import AccessLink
from hygie.portal.selectors import token_hash
from hygie.portal.services import links_purge
from hygie.portal.views.public import SESSION_PERSON, SESSION_SECONDS, SESSION_UNTIL
from hygie.testing.pdf import pdf_text
from hygie.testing.text import plain

START = reverse("portal:start")
HOME = reverse("portal:home")
LINK = re.compile(r"https?://[^/\s]+(/espace/l/[\w-]+/)")
PARIS = ZoneInfo("Europe/Paris")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def person(organisation, email, **fields) -> Person:
    return Person.objects.create(
        organisation=organisation, email=email, first_name="Élise", last_name="Durand", **fields
    )


def ask_link(client, address, **extra):
    return client.post(START, {"email": address}, **extra)


def link_path(message) -> str:
    return LINK.search(message.body).group(1)


def sign_in(client, someone: Person):
    """Sign in through a real link (created as the service does, then followed)."""
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        person=someone,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    response = client.post(reverse("portal:link", args=[token]))
    assert response.status_code == 302 and response["Location"] == HOME
    return client


def signed_in_as(client) -> int | None:
    return client.session.get(SESSION_PERSON)


# --- The magic link ----------------------------------------------------------------


def test_the_answer_is_the_same_for_known_and_unknown_addresses(
    client, organisation, django_capture_on_commit_callbacks
):
    person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_link(client, "Dr.Durand@example.org ")
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        unknown = ask_link(client, "nobody@example.org")
    assert len(mail.outbox) == 1  # nothing sent for an unknown address
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("portal:sent")
    pages = [CSRF.sub("", client.get(r["Location"]).content.decode()) for r in (known, unknown)]
    assert pages[0] == pages[1]


def test_the_email_carries_a_link_whose_token_is_stored_only_as_a_hash(
    client, organisation, django_capture_on_commit_callbacks
):
    someone = person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org")
    message = mail.outbox[0]
    assert message.to == ["dr.durand@example.org"]
    path = link_path(message)
    assert path in message.alternatives[0][0]  # the HTML part has it too
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = AccessLink.objects.get()
    assert link.person == someone and link.used_at is None
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(minutes=30)


def test_a_mail_failure_changes_nothing_in_the_answer(
    client, organisation, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    person(organisation, "dr.durand@example.org")

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"dr.durand@example.org": (550, b"no")})

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_link(client, "dr.durand@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("portal:sent")
    assert "portal link email not sent" in caplog.text
    assert "dr.durand" not in caplog.text


def test_inactive_people_get_no_link_and_each_organisation_sends_its_own(
    client, organisation, other_organisation, django_capture_on_commit_callbacks
):
    person(organisation, "dr.durand@example.org")
    person(other_organisation, "dr.durand@example.org")
    person(organisation, "left@example.org", status=PersonStatus.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org")
        ask_link(client, "left@example.org")
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"dr.durand@example.org"}
    # Each message names its organisation and carries its own link.
    assert [organisation.name in m.body for m in mail.outbox].count(True) == 1
    assert [other_organisation.name in m.body for m in mail.outbox].count(True) == 1
    assert len({link_path(m) for m in mail.outbox}) == 2
    assert AccessLink.objects.filter(person__status=PersonStatus.UNSUBSCRIBED).count() == 0


def test_get_shows_a_button_and_does_not_use_the_link(
    client, organisation, django_capture_on_commit_callbacks
):
    someone = person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org")
    path = link_path(mail.outbox[0])
    for _ in range(2):  # a mail scanner, then the person
        page = client.get(path)
        assert page.status_code == 200
        assert b'method="post"' in page.content
        assert signed_in_as(client) is None
    assert AccessLink.objects.get().used_at is None

    assert client.post(path)["Location"] == HOME
    assert signed_in_as(client) == someone.pk
    assert AccessLink.objects.get().used_at is not None
    assert client.session.get_expiry_age() == SESSION_SECONDS
    home = client.get(HOME)
    assert home.status_code == 200
    # A suspicious SMS is reported from the space, to the person's own organisation.
    assert f'href="/signaler/{organisation.slug}/sms/"' in home.content.decode()


def test_a_used_link_does_not_work_again(client, organisation, django_capture_on_commit_callbacks):
    person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org")
    path = link_path(mail.outbox[0])
    client.post(path)
    client.cookies.clear()
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert signed_in_as(client) is None
    assert client.get(HOME)["Location"] == START


def test_an_expired_link_does_not_work(client, organisation, django_capture_on_commit_callbacks):
    person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, "dr.durand@example.org")
    AccessLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = link_path(mail.outbox[0])
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert signed_in_as(client) is None
    assert AccessLink.objects.get().used_at is None


def test_unknown_tokens_do_not_work(client, db):
    assert client.get(reverse("portal:link", args=["x" * 43])).status_code == 410
    assert client.post(reverse("portal:link", args=["x" * 43])).status_code == 410


def test_using_one_link_spends_the_other_pending_links_of_the_person(client, organisation):
    someone = person(organisation, "dr.durand@example.org")
    spare = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        person=someone, token_hash=token_hash(spare), expires_at=timezone.now() + timedelta(hours=1)
    )
    sign_in(client, someone)
    assert client.post(reverse("portal:link", args=[spare])).status_code == 410


def test_the_portal_session_ends_after_two_hours_even_if_saved_again(client, organisation):
    someone = person(organisation, "dr.durand@example.org")
    sign_in(client, someone)
    session = client.session
    assert session[SESSION_UNTIL] - int(timezone.now().timestamp()) in range(
        SESSION_SECONDS - 5, SESSION_SECONDS + 1
    )
    session[SESSION_UNTIL] = int(timezone.now().timestamp()) - 1
    session.save()
    response = client.get(HOME)
    assert response["Location"] == START
    assert signed_in_as(client) is None


def test_sign_out(client, organisation):
    sign_in(client, person(organisation, "dr.durand@example.org"))
    assert client.post(reverse("portal:sign_out"))["Location"] == START
    assert client.get(HOME)["Location"] == START


def test_a_console_sign_in_in_the_same_browser_survives_the_portal(
    console, admin, organisation, client
):
    console(admin)
    sign_in(client, person(organisation, "dr.durand@example.org"))
    assert client.session[SESSION_KEY] == str(admin.pk)
    client.post(reverse("portal:sign_out"))
    assert SESSION_PERSON not in client.session
    assert client.session[SESSION_KEY] == str(admin.pk)
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_pages_of_the_space_need_a_signed_in_person(client, db):
    for url in (
        HOME,
        reverse("portal:unsubscribe"),
        reverse("portal:exercise", args=[1]),
        reverse("portal:certificate", args=[2026]),
        reverse("portal:certificate_pdf", args=[2026]),
    ):
        assert client.get(url)["Location"] == START, url
    assert client.post(reverse("portal:language"), {"language": "en"})["Location"] == START


def test_old_links_are_purged(organisation):
    someone = person(organisation, "dr.durand@example.org")
    now = timezone.now()
    for days in (0, 2):
        AccessLink.objects.create(
            person=someone,
            token_hash=token_hash(str(days)),
            created_at=now - timedelta(days=days),
            expires_at=now - timedelta(days=days) + timedelta(minutes=30),
        )
    assert links_purge() == 1
    assert AccessLink.objects.get().token_hash == token_hash("0")


# --- Rate limits ----------------------------------------------------------------------


def test_requests_are_limited_per_address(client, organisation, django_capture_on_commit_callbacks):
    person(organisation, "dr.durand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(throttling.PER_ADDRESS):
            assert ask_link(client, "dr.durand@example.org").status_code == 302
        refused = ask_link(client, "DR.DURAND@example.org")
    assert refused.status_code == 429
    assert len(mail.outbox) == throttling.PER_ADDRESS
    # An unknown address is limited the same way (no difference to learn from).
    for _ in range(throttling.PER_ADDRESS):
        ask_link(client, "nobody@example.org", REMOTE_ADDR="10.0.0.2")
    assert ask_link(client, "nobody@example.org", REMOTE_ADDR="10.0.0.2").status_code == 429
    # Other addresses are not affected.
    assert ask_link(client, "someone.else@example.org").status_code == 302


def test_requests_are_limited_per_client(client, organisation, django_capture_on_commit_callbacks):
    person(organisation, "dr.durand@example.org")
    for n in range(throttling.PER_CLIENT):
        ask_link(client, f"guess{n}@example.org", REMOTE_ADDR="10.0.0.9")
    with django_capture_on_commit_callbacks(execute=True):
        refused = ask_link(client, "dr.durand@example.org", REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        other = ask_link(client, "dr.durand@example.org", REMOTE_ADDR="10.0.0.10")
    assert other.status_code == 302 and len(mail.outbox) == 1


def test_a_malformed_address_is_refused_with_a_clear_error(client, db):
    response = client.post(START, {"email": "not an address"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]


# --- The space: own data only ------------------------------------------------------


@pytest.fixture
def people(organisation, other_organisation):
    """A and B in one organisation; C in another, with the same address as A."""
    return {
        "A": person(organisation, "dr.a@example.org", civility="dr"),
        "B": person(organisation, "dr.b@example.org"),
        "C": person(other_organisation, "dr.a@example.org"),
    }


def _open_window(mailing):
    mailing.window_days = list(range(7))
    mailing.window_start, mailing.window_end = time(0, 0), time(23, 59, 59)
    mailing.save()


def _mark_sent(mailing, at):
    Delivery.objects.filter(mailing=mailing).update(status=DeliveryStatus.SENT, sent_at=at)


@pytest.fixture
def library(db, tmp_path):
    """Only the capsule and the scenario these tests send (loading all takes a while)."""
    content = Path(settings.BASE_DIR) / "content"
    for source in (
        content / "capsules" / "fr" / "sauvegardes.md",
        content / "capsules" / "en" / "sauvegardes.md",
        content / "scenarios" / "fr" / "espace-pro-sante-avis-paiement.yaml",
    ):
        target = tmp_path / "content" / source.parent.parent.name / source.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / source.name)
    capsules_sync(directory=tmp_path / "content" / "capsules")
    scenarios_sync(directory=tmp_path / "content" / "scenarios")


def send_capsule(organisation, actor, name, at):
    segment, _ = Segment.objects.get_or_create(organisation=organisation, name="Tous")
    campaign = awareness_campaign_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name=name,
        capsule=Capsule.objects.filter(slug="sauvegardes", language="fr").first(),
        segment=segment,
    )
    _open_window(campaign.mailing)
    mailing_launch(mailing=campaign.mailing, actor=Actor.system())
    _mark_sent(campaign.mailing, at)
    return campaign


def send_simulation(organisation, actor, name, at):
    SendingProfile.objects.update_or_create(
        organisation=organisation, defaults={"simulation_domain": "espace-pro.example"}
    )
    SimulationAnnouncement.objects.create(
        organisation=organisation, announced_on=at.date() - timedelta(days=30), channel="email"
    )
    segment, _ = Segment.objects.get_or_create(organisation=organisation, name="Tous")
    campaign = simulation_create(
        organisation=organisation,
        actor=Actor.staff(actor),
        name=name,
        scenarios=[Scenario.objects.get(slug="espace-pro-sante-avis-paiement")],
        segment=segment,
    )
    _open_window(campaign.mailing)
    campaign_launch(campaign=campaign, actor=Actor.system())
    _mark_sent(campaign.mailing, at)
    return campaign


def delivery_of(campaign, someone) -> Delivery:
    return Delivery.objects.get(mailing=campaign.mailing, person=someone)


def read(delivery, at, score=None):
    ReadingEvent.objects.create(delivery=delivery, kind=EventKind.PAGE_VIEWED, at=at)
    if score is not None:
        capsule = delivery.mailing.awareness_campaign.capsule
        QuizAttempt.objects.create(
            delivery=delivery,
            capsule=capsule,
            answers=[0] * len(capsule.quiz),
            score=score,
            total=len(capsule.quiz),
            completed_at=at,
        )


def click(delivery, at):
    SimulationResult.objects.filter(delivery=delivery).update(stage=2, clicked_at=at)


@pytest.fixture
def history(people, organisation, other_organisation, library):
    # Staff without a hashed password: hashing costs half a second per user.
    admin = User.objects.create(email="admin@urps-test.example")
    outsider = User.objects.create(email="admin@autre-union.example")
    now = timezone.now()
    capsule = send_capsule(organisation, admin, "Capsule sauvegardes", now - timedelta(days=3))
    theirs = send_capsule(other_organisation, outsider, "Capsule de l'autre union", now)
    simulation = send_simulation(organisation, admin, "Exercice printemps", now - timedelta(days=2))
    other_simulation = send_simulation(other_organisation, outsider, "Exercice autre", now)
    a_capsule, b_capsule = delivery_of(capsule, people["A"]), delivery_of(capsule, people["B"])
    read(a_capsule, now - timedelta(days=2), score=2)
    read(a_capsule, now - timedelta(days=1), score=3)
    read(b_capsule, now - timedelta(days=1), score=1)
    c_capsule = delivery_of(theirs, people["C"])
    read(c_capsule, now, score=1)
    a_sim, b_sim = delivery_of(simulation, people["A"]), delivery_of(simulation, people["B"])
    c_sim = delivery_of(other_simulation, people["C"])
    for d in (a_sim, b_sim, c_sim):
        click(d, now - timedelta(hours=1))
    return {
        "capsules": {"A": a_capsule, "B": b_capsule, "C": c_capsule},
        "simulations": {"A": a_sim, "B": b_sim, "C": c_sim},
    }


def test_the_space_shows_the_persons_own_history_and_nobody_elses(client, people, history):
    sign_in(client, people["A"])
    page = client.get(HOME)
    assert page.status_code == 200
    capsules, simulations = page.context["capsules"], page.context["simulations"]
    assert [row.delivery_id for row in capsules] == [history["capsules"]["A"].pk]
    row = capsules[0]
    assert row.name == "Capsule sauvegardes" and row.read
    assert (row.best_score, row.total) == (3, len(QuizAttempt.objects.first().capsule.quiz))
    assert [row.delivery_id for row in simulations] == [history["simulations"]["A"].pk]
    assert simulations[0].outcome == selectors.Outcome.CLICKED
    body = page.content.decode()
    assert reverse("awareness:capsule", args=[history["capsules"]["A"].token]) in body
    assert reverse("portal:exercise", args=[history["simulations"]["A"].pk]) in body
    for other in ("B", "C"):
        assert history["capsules"][other].token not in body
        assert reverse("portal:exercise", args=[history["simulations"][other].pk]) not in body
    assert "dr.b@example.org" not in body
    assert "Capsule de l'autre union" not in body and "Exercice autre" not in body
    assert 'style="' not in body and "<script" not in body  # the site CSP allows neither


def test_the_exercise_page_is_only_for_the_persons_own_simulations(client, people, history):
    sign_in(client, people["A"])
    own = client.get(reverse("portal:exercise", args=[history["simulations"]["A"].pk]))
    assert own.status_code == 200
    body = plain(own.content.decode())
    assert body.count("<mark") >= 2 and 'style="' not in body
    scenario = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    for flag in scenario.data["red_flags"]:
        assert flag["explanation"].replace("'", "&#x27;")[:40] in body
    assert history["simulations"]["A"].token not in body  # no live tracking link
    for other in ("B", "C"):
        delivery = history["simulations"][other]
        assert client.get(reverse("portal:exercise", args=[delivery.pk])).status_code == 404
    capsule_delivery = history["capsules"]["A"]
    assert client.get(reverse("portal:exercise", args=[capsule_delivery.pk])).status_code == 404


def test_a_running_exercise_stays_hidden_until_the_person_reacts_or_it_ends(
    client, people, history
):
    a_sim = history["simulations"]["A"]
    SimulationResult.objects.filter(delivery=a_sim).update(stage=0, clicked_at=None)
    sign_in(client, people["A"])
    assert client.get(HOME).context["simulations"] == []
    assert client.get(reverse("portal:exercise", args=[a_sim.pk])).status_code == 404
    SimulationResult.objects.filter(delivery=a_sim).update(reported_at=timezone.now())
    [row] = client.get(HOME).context["simulations"]
    assert row.outcome == selectors.Outcome.REPORTED
    SimulationResult.objects.filter(delivery=a_sim).update(reported_at=None)
    a_sim.mailing.simulation.ended_at = timezone.now()
    a_sim.mailing.simulation.save()
    [row] = client.get(HOME).context["simulations"]
    assert row.outcome == selectors.Outcome.NOT_CLICKED


def test_the_same_address_in_another_organisation_is_another_space(client, people, history):
    sign_in(client, people["C"])
    page = client.get(HOME)
    assert [r.delivery_id for r in page.context["capsules"]] == [history["capsules"]["C"].pk]
    exercise = reverse("portal:exercise", args=[history["simulations"]["A"].pk])
    assert client.get(exercise).status_code == 404


def test_unsubscribing_from_the_space(client, people, organisation):
    a = people["A"]
    sign_in(client, a)
    assert client.get(reverse("portal:unsubscribe")).status_code == 200
    response = client.post(reverse("portal:unsubscribe"))
    assert response["Location"] == HOME
    a.refresh_from_db()
    assert a.status == PersonStatus.UNSUBSCRIBED
    assert Suppression.objects.filter(organisation=organisation).count() == 1
    entry = AuditEntry.objects.get(action="person.unsubscribed")
    assert entry.details == {"source": "portal"}
    # A practitioner's own choice: no staff member, and their address is not kept.
    assert (entry.channel, entry.actor, entry.ip_address) == ("public", None, None)
    assert client.get(HOME).context["subscribed"] is False
    people["B"].refresh_from_db()
    assert people["B"].status == PersonStatus.ACTIVE


def test_choosing_the_language(client, people):
    a = people["A"]
    sign_in(client, a)
    assert client.post(reverse("portal:language"), {"language": "en"})["Location"] == HOME
    a.refresh_from_db()
    assert a.language == "en"
    page = client.get(HOME)
    assert page["Content-Language"] == "en" and b"Your personal space" in page.content
    refused = client.post(reverse("portal:language"), {"language": "de"})
    assert refused.status_code == 400
    a.refresh_from_db()
    assert a.language == "en"
    people["B"].refresh_from_db()
    assert people["B"].language == "fr"


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_yearly_certificate_lists_the_years_activity(client, people, history):
    a_capsule = history["capsules"]["A"]
    # Last year: one reading and one quiz, on another delivery of A.
    last_year = timezone.localdate().year - 1
    old = Delivery.objects.create(
        mailing=a_capsule.mailing,
        organisation=a_capsule.organisation,
        person=people["A"],
        variant=a_capsule.variant,
        recipient="dr.a@example.org",
        status=DeliveryStatus.SENT,
        scheduled_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    read(old, datetime(last_year, 6, 1, 12, tzinfo=PARIS), score=1)
    ReadingEvent.objects.create(  # a link scanner: never counted
        delivery=a_capsule,
        kind=EventKind.PAGE_VIEWED,
        automated=True,
        automated_reason="scanner",
        at=datetime(last_year, 3, 1, 12, tzinfo=PARIS),
    )
    sign_in(client, people["A"])
    this_year = timezone.localdate().year
    assert client.get(HOME).context["years"] == [this_year, last_year]

    page = client.get(reverse("portal:certificate", args=[this_year]))
    assert page.status_code == 200
    certificate = page.context["certificate"]
    title = a_capsule.mailing.awareness_campaign.capsule.title
    assert [c.title for c in certificate.capsules_read] == [title]
    assert [(q.title, q.score) for q in certificate.quizzes] == [(title, 3)]
    body = page.content.decode()
    assert "Dr Élise Durand" in body and french_text(title) in body  # with its typography
    assert 'style="' not in body

    previous = client.get(reverse("portal:certificate", args=[last_year])).context["certificate"]
    assert len(previous.capsules_read) == 1 and [q.score for q in previous.quizzes] == [1]
    empty = client.get(reverse("portal:certificate", args=[last_year - 1])).context["certificate"]
    assert empty.is_empty
    assert client.get(reverse("portal:certificate", args=[this_year + 1])).status_code == 404

    document = client.get(reverse("portal:certificate_pdf", args=[this_year]))
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"] == (
        f'attachment; filename="attestation-cybersecurite-{this_year}.pdf"'
    )
    text = pdf_text(document.content)
    assert "Dr Élise Durand" in text
    assert " ".join(title.split()) in text
    assert "3/" in text  # the best quiz score
    assert client.get(reverse("portal:certificate_pdf", args=[this_year + 1])).status_code == 404


def test_the_certificate_never_counts_someone_elses_activity(client, people, history):
    sign_in(client, people["B"])
    certificate = client.get(
        reverse("portal:certificate", args=[timezone.localdate().year])
    ).context["certificate"]
    assert [q.score for q in certificate.quizzes] == [1]
    assert len(certificate.capsules_read) == 1
