"""Tokens: created in the console by an administrator, shown once, hashed, scoped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.accounts.models import AuditEntry
from hygie.api.models import ApiToken
from hygie.api.scopes import Scope
from hygie.audience.models import Person

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_a_token_shown_once_and_stored_hashed(console, admin):
    client = console(admin)
    response = client.post(
        reverse("api:tokens"),
        {"name": "Base adhérents", "scopes": [Scope.READ_PEOPLE.value]},
    )
    assert response.status_code == 200
    plain = response.context["issued"].plain
    assert plain.startswith("hyg_")
    token = ApiToken.objects.get()
    assert plain not in token.secret_hash and token.secret_hash != plain.split("_", 2)[2]
    assert token.scopes == [Scope.READ_PEOPLE.value]
    # Shown once: the list page never shows it again.
    assert plain not in client.get(reverse("api:tokens")).content.decode()
    answer = client.get("/api/v1/people", headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 200


def test_a_campaign_manager_cannot_manage_tokens(console, member):
    response = console(member).post(
        reverse("api:tokens"), {"name": "x", "scopes": [Scope.READ_PEOPLE.value]}
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer hyg_nope_nope", "Bearer abc", "Basic x"])
def test_calls_without_a_valid_token_are_refused_in_the_callers_language(client, db, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/people", headers={**headers, "Accept-Language": "fr"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Un jeton d’API valide est requis."
    english = client.get("/api/v1/people", headers={**headers, "Accept-Language": "en"})
    assert english.json()["detail"] == "A valid API token is required."


def test_revoked_and_expired_tokens_stop_working(api, admin, console):
    revoked = api(Scope.READ_PEOPLE)
    assert revoked.get("/people").status_code == 200
    token = ApiToken.objects.get()
    console(admin).post(reverse("api:token_revoke", args=[token.pk]))
    assert revoked.get("/people").status_code == 401
    expired = api(Scope.READ_PEOPLE, expires_at=timezone.now() + timedelta(seconds=1))
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert expired.get("/people").status_code == 401


def test_a_token_does_only_what_its_scopes_allow(api):
    reader = api(Scope.READ_PEOPLE)
    answer = reader.send("post", "/people", {"email": "a@example.org"})
    assert answer.status_code == 403
    assert "people:write" in answer.json()["detail"]
    assert not Person.objects.exists()


def test_each_use_is_audited_and_the_last_use_shown(api, admin, console):
    client = api(Scope.READ_PEOPLE)
    client.get("/people")
    client.get("/segments")
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    uses = AuditEntry.objects.filter(action="api_token.use", target_id=str(token.pk))
    assert sorted(e.details["path"] for e in uses) == ["/api/v1/people", "/api/v1/segments"]
    assert {(e.channel, e.api_token_id, e.ip_address) for e in uses} == {
        ("api", token.pk, "127.0.0.1")
    }


def test_a_token_is_rate_limited(api, settings):
    settings.API_CALLS_PER_MINUTE = 3
    client = api(Scope.READ_PEOPLE)
    statuses = [client.get("/segments").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/segments")
    assert int(refused["Retry-After"]) > 0


def test_another_organisations_people_are_not_found(api, organisation, other_organisation):
    stranger = Person.objects.create(organisation=other_organisation, email="x@example.org")
    mine = Person.objects.create(organisation=organisation, email="y@example.org")
    client = api()
    assert client.get(f"/people/{stranger.pk}").status_code == 404
    assert client.get(f"/people/{mine.pk}").status_code == 200
    assert client.send("patch", f"/people/{stranger.pk}", {"commune": "Pau"}).status_code == 404
    assert client.send("delete", f"/people/{stranger.pk}").status_code == 404
    listed = [p["email"] for p in client.get("/people").json()["items"]]
    assert listed == ["y@example.org"]
    stranger.refresh_from_db()
    assert stranger.email == "x@example.org"
