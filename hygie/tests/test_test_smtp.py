"""The tests' SMTP server (hygie/testing/smtp.py)."""

from __future__ import annotations

import smtplib
import socket

import pytest

from hygie.testing.smtp import SmtpServer


def send(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\ny")


def receives_one_message(server: SmtpServer) -> bool:
    """Send one message to the started `server`, then stop it."""
    try:
        send(server.port)
        return len(server.messages) == 1
    finally:
        server.stop()


def test_the_port_is_the_servers_from_the_moment_it_is_chosen():
    server = SmtpServer()
    # Another process looking for a free port cannot take it before the server starts.
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", server.port))
    server.start()
    assert receives_one_message(server)


def test_a_stopped_server_comes_back_on_its_port():
    server = SmtpServer()
    server.start()
    server.stop()
    with pytest.raises(OSError):
        send(server.port)
    server.restart()
    assert receives_one_message(server)
