"""Words for each role: passages and questions per role in a capsule, checked when loaded."""

from __future__ import annotations

import pytest

from hygie.library.content import capsule_files, parse
from hygie.library.reader_roles import body_for_role, reader_role, role_problems, shown_questions

BODY = """Intro.

::: roles secretary
Prévenez le médecin.
:::
::: roles holder associate locum
Prévenez votre secrétaire.
:::

Fin.
"""


def test_each_role_reads_its_own_words():
    secretary = body_for_role(BODY, "secretary")
    doctor = body_for_role(BODY, "holder")
    assert "Prévenez le médecin." in secretary and "votre secrétaire" not in secretary
    assert "Prévenez votre secrétaire." in doctor and "le médecin." not in doctor
    assert ":::" not in secretary + doctor
    assert "Intro." in doctor and "Fin." in doctor
    other = body_for_role(BODY, "other_health")
    assert "Prévenez" not in other


@pytest.mark.parametrize(
    ("practice_role", "profession", "role"),
    [
        ("locum", "doctor", "locum"),
        ("", "secretary", "secretary"),
        ("", "assistant", "secretary"),
        ("", "doctor", "holder"),
        ("", "nurse", "other_health"),
    ],
)
def test_a_reader_without_a_role_reads_as_their_profession_suggests(
    practice_role, profession, role
):
    assert reader_role(practice_role, profession) == role


def test_unknown_roles_and_unclosed_passages_are_refused():
    assert role_problems("::: roles nurse\nx\n:::\n", []) == [
        ("body", "unknown role in a passage: nurse")
    ]
    assert any("not closed" in m for _f, m in role_problems("::: roles secretary\nx\n", []))
    quiz = [{"roles": ["astronaut"], "question": "?", "choices": []}]
    assert any("roles must be a list" in m for _f, m in role_problems("", quiz))


def test_the_fraud_capsule_gives_the_secretary_her_script_and_question():
    for language in ("fr", "en"):
        path = next(p for p in capsule_files() if p.match(f"{language}/fraude-telephone-sms.md"))
        capsule = parse(path)
        quiz = capsule.meta["quiz"]
        secretary = shown_questions(quiz, "secretary")
        doctor = shown_questions(quiz, "holder")
        assert len(secretary) == len(doctor) == 5
        assert set(secretary) != set(doctor)
        script = "Votre script à l'accueil" if language == "fr" else "Your front-desk script"
        assert script in body_for_role(capsule.body, "secretary")
        assert script not in body_for_role(capsule.body, "holder")


def test_the_console_quiz_format_keeps_the_roles_of_a_question():
    from hygie.library import editing

    path = next(p for p in capsule_files() if p.match("fr/fraude-telephone-sms.md"))
    quiz = parse(path).meta["quiz"]
    text = editing.quiz_to_text(quiz)
    assert "? [secretary] " in text
    assert editing.quiz_from_text(text) == quiz


def test_staff_preview_a_capsule_as_each_role(db, console, admin):
    from django.urls import reverse

    from hygie.library.content import capsules_sync
    from hygie.library.models import Capsule

    capsules_sync()
    capsule = Capsule.objects.get(slug="fraude-telephone-sms", language="fr", organisation=None)
    url = reverse("console:capsule_preview", args=[capsule.pk])
    secretary = console(admin).get(url, {"role": "secretary"}).content.decode()
    doctor = console(admin).get(url).content.decode()
    assert "Votre script à l'accueil" in secretary
    assert "Votre script à l'accueil" not in doctor
    assert "Un script pour votre secrétaire" in doctor
    secretary_question = next(q for q in capsule.quiz if q.get("roles") == ["secretary"])
    assert "installer un correctif urgent" in secretary_question["question"]
    assert "installer un correctif urgent" in secretary
    assert "installer un correctif urgent" not in doctor
    assert console(admin).get(url, {"role": "astronaut"}).status_code == 200
