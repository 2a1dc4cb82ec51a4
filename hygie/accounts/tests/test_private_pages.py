"""Console pages and exports are never kept by a browser or a proxy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.accounts.roles import Role
from hygie.accounts.tests.test_access_matrix import CONSOLE_PAGES
from hygie.audience.models import Person


@pytest.mark.parametrize(("name", "args", "permission"), CONSOLE_PAGES)
def test_every_console_page_says_private_no_store(console, admin, name, args, permission):
    response = console(admin).get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_person_pages_and_exports_say_private_no_store(console, admin, organisation):
    person = Person.objects.create(organisation=organisation, email="dr@example.org")
    client = console(admin)
    for url in (
        reverse("audience:person", args=[person.pk]),
        reverse("audience:person_export", args=[person.pk]),
        reverse("audience:people_export") + "?format=xlsx",
        reverse("audience:people_export"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_refusals_and_sign_in_pages_are_not_kept_either(client, console, staff_of):
    policy = client.get(reverse("accounts:login"))["Cache-Control"]  # Django's never_cache
    assert {"private", "no-store"} <= {part.strip() for part in policy.split(",")}
    refused = console(staff_of(Role.ANALYST)).get(reverse("audience:people"))
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "private, no-store"
