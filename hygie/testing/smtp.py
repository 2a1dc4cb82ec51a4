"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), with scripted failures."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    messages: list[Received] = field(default_factory=list)
    # Replies to give instead of accepting, consumed one per message ("451 try later").
    scripted: list[str] = field(default_factory=list)
    # Recipient → reply to give for that address every time ("550 no such user").
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Seconds to wait before accepting each message (a slow server).
    delay: float = 0.0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.scripted:
                return self.scripted.pop(0)
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bound_socket(port: int = 0) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class _BoundController(Controller):
    """aiosmtpd's controller serving a socket bound beforehand: the port is the server's
    from the moment it is chosen. A port found free and bound later can be taken by
    another process in between (test runs go side by side)."""

    def __init__(self, handler: RecordingHandler, sock: socket.socket) -> None:
        self._socket = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(
            self._factory_invoker, sock=self._socket, ssl=self.ssl_context
        )


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.controller: Controller = _BoundController(self.handler, _bound_socket())
        self.port = int(self.controller.port)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        if self.controller.server is not None:
            self.controller.stop()

    def restart(self) -> None:
        """Back on the same port after `stop`, as a relay that comes back."""
        self.controller = _BoundController(self.handler, _bound_socket(self.port))
        self.start()

    def options(self) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "timeout": 5}


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A started SMTP server; the platform's default mailer points at it."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": server.options(),
        }
    }
    try:
        yield server
    finally:
        server.stop()
