"""Writing and editing capsules in the console: validation per field, new versions, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.actors import Actor
from hygie.accounts.models import AuditEntry
from hygie.accounts.roles import Role
from hygie.library import editing
from hygie.library.content import capsules_sync
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules
from hygie.testing.text import plain


@pytest.fixture
def shipped(db):
    capsules_sync()
    return Capsule.objects.get(slug="sauvegardes", language="fr", organisation=None)


def form_data(capsule: Capsule, **changes: str) -> dict[str, object]:
    data = editing.capsule_form_initial(capsule=capsule)
    data.update(changes)
    return data


def test_the_quiz_and_sources_formats_round_trip(shipped):
    assert editing.quiz_from_text(editing.quiz_to_text(shipped.quiz)) == shipped.quiz
    assert editing.sources_from_text(editing.sources_to_text(shipped.sources)) == shipped.sources


def test_editing_creates_a_new_version_for_the_organisation_only(
    shipped, console, admin, organisation, other_organisation
):
    url = reverse("console:capsule_edit", args=[shipped.pk])
    response = console(admin).post(
        url, {**form_data(shipped, title="Sauvegardes : la règle 3-2-1, revue"), "save": "1"}
    )
    edited = Capsule.objects.get(organisation=organisation, slug="sauvegardes")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:capsule_preview", args=[edited.pk])
    assert edited.version == shipped.version + 1
    assert edited.title == "Sauvegardes : la règle 3-2-1, revue"
    shipped.refresh_from_db()
    assert shipped.title.startswith("Sauvegardes : la règle 3-2-1 pour")  # untouched
    assert edited in available_capsules(organisation)
    assert shipped not in available_capsules(organisation)
    assert shipped in available_capsules(other_organisation)
    entry = AuditEntry.objects.get(action="capsule.edited")
    assert entry.actor == admin and entry.details["version"] == edited.version


def test_a_campaign_always_shows_the_version_it_sent(shipped, console, admin, organisation, client):
    from hygie.audience.models import Person, Segment
    from hygie.awareness.services import campaign_create
    from hygie.delivery.models import Delivery
    from hygie.delivery.services import mailing_launch

    Person.objects.create(organisation=organisation, email="a@example.org")
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Sauvegardes",
        capsule=shipped,
        segment=Segment.objects.create(organisation=organisation, name="Tous"),
    )
    mailing_launch(mailing=campaign.mailing, actor=Actor.system())
    console(admin).post(
        reverse("console:capsule_edit", args=[shipped.pk]),
        {**form_data(shipped, promise="Une promesse toute neuve pour la version 2."), "save": "1"},
    )
    assert Capsule.objects.filter(slug="sauvegardes", organisation=organisation).exists()
    campaign.refresh_from_db()
    assert campaign.capsule == shipped
    token = Delivery.objects.get(mailing=campaign.mailing).token
    page = plain(client.get(reverse("awareness:capsule", args=[token])).content.decode())
    assert shipped.promise.replace("'", "&#x27;") in page
    assert "toute neuve" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quiz", "? Une question\n+ Oui :: car\n- Non :: car", "3 to 5 questions"),
        (
            "quiz",
            "? Q1\n- a :: x\n- b :: y\n? Q2\n+ a :: x\n- b :: y\n? Q3\n+ a :: x\n- b :: y",
            "question 1 has no right answer",
        ),
        ("quiz", "? Q1\n+ sans explication", "Line 2"),
        ("reflexes", "Un seul réflexe", "3 to 5 reflexes"),
        ("sources", "ANSSI | ftp://example.org", "needs a title and a web address"),
        ("body", "Trop court.", "too short"),
        ("reading_minutes", "9", "between 2 and 4"),
    ],
)
def test_bad_input_is_named_next_to_its_field_and_nothing_is_saved(
    shipped, console, admin, field, value, message
):
    before = Capsule.objects.count()
    response = console(admin).post(
        reverse("console:capsule_edit", args=[shipped.pk]),
        {**form_data(shipped, **{field: value}), "save": "1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert Capsule.objects.count() == before
    assert not AuditEntry.objects.filter(action__startswith="capsule.").exists()


def test_a_new_capsule_and_its_server_rendered_preview(shipped, console, admin, organisation):
    client = console(admin)
    assert client.get(reverse("console:capsule_new")).status_code == 200
    data = form_data(shipped, title="Les clés USB trouvées sur le parking")
    preview = client.post(reverse("console:capsule_new"), {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "Les clés USB trouvées sur le parking" in preview.content.decode()
    assert not Capsule.objects.filter(organisation=organisation).exists()
    live = client.post(
        reverse("console:capsule_live_preview"), {**data, "body": "## Titre\n\ncourt"}
    )
    html = live.content.decode()
    assert "<h2>Titre</h2>" in html and "too short" in html
    saved = client.post(reverse("console:capsule_new"), {**data, "save": "1"})
    capsule = Capsule.objects.get(organisation=organisation)
    assert saved["Location"] == reverse("console:capsule_preview", args=[capsule.pk])
    assert (capsule.slug, capsule.version) == ("les-cles-usb-trouvees-sur-le-parking", 1)
    assert AuditEntry.objects.filter(action="capsule.created").count() == 1
    again = client.post(reverse("console:capsule_new"), {**data, "save": "1"})
    assert "exists already" in again.content.decode()


def test_the_editor_escapes_what_authors_type(shipped, console, admin):
    data = form_data(shipped, title="<script>alert(1)</script>")
    data["body"] += "\n\n<script>alert(2)</script>"
    html = console(admin).post(reverse("console:capsule_live_preview"), data).content.decode()
    assert "<script>" not in html


def test_only_content_managers_edit_and_never_another_organisations_capsule(
    shipped, console, staff_of, outsider, organisation, admin
):
    analyst = console(staff_of(Role.ANALYST))
    assert analyst.get(reverse("console:capsule_edit", args=[shipped.pk])).status_code == 403
    console(admin).post(
        reverse("console:capsule_edit", args=[shipped.pk]),
        {**form_data(shipped, title="Version de l'URPS"), "save": "1"},
    )
    own = Capsule.objects.get(organisation=organisation)
    response = console(outsider).get(reverse("console:capsule_edit", args=[own.pk]))
    assert response.status_code == 404
