"""An IMAP client that connects to an address checked beforehand, not to a name.

`IMAPClient` resolves the host name itself when it opens the socket. Between our
check (hygie.lib.netguard) and that second resolution, a hostile DNS server could
answer with a loopback address. These classes open the socket to the address that
was checked, while TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

from imapclient import IMAPClient
from imapclient.imap4 import IMAP4WithTimeout
from imapclient.tls import IMAP4_TLS, wrap_socket


class _PinnedIMAP4(IMAP4WithTimeout):  # type: ignore[misc]  # untyped library
    def __init__(self, host: str, port: int, timeout: float | None, address: str) -> None:
        self._address = address
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return socket.create_connection(
            (self._address, self.port), timeout if timeout is not None else self._timeout
        )


class _PinnedIMAP4TLS(IMAP4_TLS):  # type: ignore[misc]  # untyped library
    def __init__(
        self,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
        timeout: float | None,
        address: str,
    ) -> None:
        self._address = address
        super().__init__(host, port, ssl_context, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = socket.create_connection(
            (self._address, self.port), timeout if timeout is not None else self._timeout
        )
        wrapped: socket.socket = wrap_socket(sock, self.ssl_context, self.host)
        return wrapped


class PinnedIMAPClient(IMAPClient):  # type: ignore[misc]  # untyped library
    """`IMAPClient(host, ...)` whose connection goes to `address`, one of host's addresses."""

    def __init__(self, host: str, *, address: str, **kwargs: Any) -> None:
        self._pinned_address = address
        super().__init__(host, **kwargs)

    def _create_IMAP4(self) -> Any:
        connect_timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _PinnedIMAP4TLS(
                self.host, self.port, self.ssl_context, connect_timeout, self._pinned_address
            )
        return _PinnedIMAP4(self.host, self.port, connect_timeout, self._pinned_address)
