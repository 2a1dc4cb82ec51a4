"""A valid and an invalid token get the same headers on every tracking endpoint.

Only the body may differ (the page shown): cache policy, Vary and every other header
must not tell a scanner which tokens exist.
"""

from __future__ import annotations

import pytest

from hygie.delivery.models import Delivery
from hygie.phishing.tests.support import PERSON, launch_and_send

# Headers that describe the body itself; everything else must match exactly.
BODY_HEADERS = {"content-length"}

ENDPOINTS = [
    ("GET", ""),
    ("GET", "h/"),
    ("GET", "q.png"),
    ("GET", "logo.gif"),
    ("POST", "v/"),
    ("GET", "r/"),
    ("POST", "r/"),
    ("GET", "pas-moi/"),
    ("POST", "pas-moi/"),
]


def headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items() if k.lower() not in BODY_HEADERS}


@pytest.mark.parametrize(("method", "rest"), ENDPOINTS)
def test_valid_and_invalid_tokens_answer_the_same_headers(
    simulation, smtp_server, client, method, rest
):
    launch_and_send(simulation)
    delivery = Delivery.objects.filter(mailing=simulation.mailing).first()
    forged = "A" * len(delivery.token)
    send = client.post if method == "POST" else client.get
    valid = send(f"/{simulation.path_prefix}/{delivery.token}/{rest}", **PERSON)
    client.cookies.clear()
    invalid = send(f"/{simulation.path_prefix}/{forged}/{rest}", **PERSON)
    assert valid.status_code == invalid.status_code
    assert headers(valid) == headers(invalid)
    assert sorted(valid.cookies) == sorted(invalid.cookies)
    assert "no-store" in valid["Cache-Control"]
