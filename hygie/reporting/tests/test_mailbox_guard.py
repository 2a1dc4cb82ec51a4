"""The mailbox connection cannot be turned against the platform's own network (SSRF)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from hygie.reporting import polling
from hygie.reporting.models import Mailbox

BANNER = b"SSH-2.0-OpenSSH_9.6p1 internal-build-host-7\r\n"


class ListeningService:
    """A local TCP service that greets with a banner and counts the connections it gets."""

    def __init__(self, banner: bytes) -> None:
        self.banner = banner
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(self.banner)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def service() -> Iterator[ListeningService]:
    server = ListeningService(BANNER)
    yield server
    server.close()


def candidate(host: str, port: int) -> Mailbox:
    return Mailbox(host=host, port=port, security="none", username="u", folder="INBOX")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1"])
def test_local_and_private_addresses_are_refused_before_connecting(settings, host):
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = []
    with pytest.raises(polling.MailboxError, match="local or private network address") as caught:
        polling.test_connection(candidate(host.strip("[]"), 993), password="x")
    assert "leads to a local or private network address" in str(caught.value)


def test_no_connection_reaches_a_loopback_service(settings, service):
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = []
    settings.REPORT_MAILBOX_EXTRA_PORTS = [service.port]
    with pytest.raises(polling.MailboxError, match="local or private"):
        polling.test_connection(candidate("127.0.0.1", service.port), password="x")
    assert service.connections == 0


@pytest.mark.parametrize("port", [22, 25, 80, 443, 5432, 6379, 8000, 11211])
def test_only_imap_ports_are_allowed(db, port):
    with pytest.raises(polling.MailboxError, match=f"Port {port} is not allowed"):
        polling.test_connection(candidate("imap.example.org", port), password="x")


def test_the_operator_can_allow_a_port_and_a_network(settings, service):
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.REPORT_MAILBOX_EXTRA_PORTS = [service.port]
    with pytest.raises(polling.MailboxError):
        polling.test_connection(candidate("127.0.0.1", service.port), password="x")
    assert service.connections == 1


def test_the_remote_banner_is_never_shown(settings, service):
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.REPORT_MAILBOX_EXTRA_PORTS = [service.port]
    with pytest.raises(polling.MailboxError) as caught:
        polling.test_connection(candidate("127.0.0.1", service.port), password="x")
    message = str(caught.value)
    assert message == "The connection failed: the server did not answer as an IMAP server."
    assert "SSH" not in message
    assert "internal-build-host" not in message


def test_refused_connections_get_a_generic_message(settings):
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    closed = socket.create_server(("127.0.0.1", 0))
    port = int(closed.getsockname()[1])
    closed.close()
    settings.REPORT_MAILBOX_EXTRA_PORTS = [port]
    with pytest.raises(polling.MailboxError, match=r"^Connection refused\.$"):
        polling.test_connection(candidate("127.0.0.1", port), password="x")


def resolve_everything_to(monkeypatch, address: str) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_every_poll_checks_the_address_again(mailbox, imap_account, settings, monkeypatch):
    """A name that was fine when saved and now points at loopback is refused at the poll."""
    Mailbox.objects.filter(pk=mailbox.pk).update(host="imap.union.example")
    mailbox.refresh_from_db()
    resolve_everything_to(monkeypatch, "127.0.0.1")
    # While the operator allows loopback, the name works (the connection goes to the
    # checked address, with the name kept for the certificate check)...
    assert polling.test_connection(mailbox).startswith("Connected")
    # ...and once the answer is no longer allowed, the worker refuses to connect.
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = []
    assert polling.poll_due("w1") == 0
    mailbox.refresh_from_db()
    assert "local or private network address" in mailbox.last_error


def test_the_settings_form_refuses_a_port_that_is_not_imap(db):
    from hygie.reporting.forms import MailboxForm

    data = {"host": "imap.example.org", "port": 22, "security": "ssl", "username": "u"}
    data |= {"folder": "INBOX", "poll_minutes": 5}
    form = MailboxForm(data)
    assert not form.is_valid()
    assert form.errors["port"] == ["Port 22 is not allowed: use an IMAP port (143, 993)."]
