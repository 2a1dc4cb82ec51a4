from __future__ import annotations

import pytest


@pytest.fixture
def console(client):
    """Console pages in English, the language of these tests' assertions (the French
    catalogue is tested on its own)."""
    from hygie.conftest import sign_in

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return lambda user: sign_in(client, user)
