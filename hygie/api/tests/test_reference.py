"""The console's API reference: every operation, each summary in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.api.reference import operations
from hygie.api.v1 import api

pytestmark = pytest.mark.django_db


def test_every_operation_is_listed_with_a_french_summary(console, admin):
    schema = api.get_openapi_schema()
    english = {
        (method.upper(), path): operation["summary"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    with translation.override("fr"):
        listed = {(op["method"], op["path"]): op["summary"] for op in operations()}
    assert listed.keys() == english.keys()
    untranslated = [key for key, summary in listed.items() if summary == english[key]]
    assert untranslated == []
    page = console(admin).get(reverse("api:reference")).content.decode()
    assert "Résultats nominatifs d’une simulation d’hameçonnage (journalisé)" in page
    assert "POST /api/v1/campaigns/{campaign_id}/launch" in page
    assert "/api/v1/api/v1" not in page
    assert "<td><code>results:named</code></td>" in page
