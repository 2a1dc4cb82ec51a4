"""Fixtures of the API: a token with chosen scopes, a client that sends it, a receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.test import Client

from hygie.accounts.actors import Actor
from hygie.accounts.roles import Role
from hygie.api.scopes import Scope
from hygie.api.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(admin) -> Callable[..., str]:
    def make(*scopes: Scope, organisation=None, **fields) -> str:  # type: ignore[no-untyped-def]
        organisation = organisation or admin.memberships.first().organisation
        # Created by an administrator of the token's organisation (named results need one).
        creator = fields.get("actor") or next(
            (m.user for m in organisation.memberships.filter(role=Role.ADMIN)), admin
        )
        issued = api_token_create(
            organisation=organisation,
            name="CRM",
            scopes=[s.value for s in (scopes or tuple(Scope))],
            expires_at=fields.get("expires_at"),
            actor=Actor.staff(creator),
        )
        return issued.plain

    return make


class ApiClient:
    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, *, language: str = "", **params):  # type: ignore[no-untyped-def]
        headers = {**self.headers, **({"Accept-Language": language} if language else {})}
        return self.client.get(f"/api/v1{path}", params, headers=headers)

    def send(self, method: str, path: str, body: object = None, **headers: str):  # type: ignore[no-untyped-def]
        call = getattr(self.client, method)
        return call(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(token_for) -> Callable[..., ApiClient]:
    return lambda *scopes, **fields: ApiClient(token_for(*scopes, **fields))


class Receiver:
    """A real HTTP server on loopback that records what it receives and answers with the
    status codes it is told to give, in order (then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    {
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode(),
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        # Polled often: shutting down waits for the next poll (half a second by default).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with Receiver() as server:
        yield server


@pytest.fixture
def clicked(admin, organisation, smtp_server):  # type: ignore[no-untyped-def]
    """A sent simulation of three people: the first clicked, the second reported."""
    from hygie.api.tests.test_results_api import simulation_of
    from hygie.delivery.models import Delivery
    from hygie.phishing.reports import record_report
    from hygie.phishing.tests.support import PERSON, launch_and_send

    campaign = simulation_of(organisation, admin, people=3)
    launch_and_send(campaign)
    first, second, *_rest = Delivery.objects.filter(mailing=campaign.mailing).order_by(
        "person__last_name"
    )
    Client().get(f"/{campaign.path_prefix}/{first.token}/", **PERSON)
    record_report(delivery=second)
    return campaign, first, second
