"""A real IMAP server for tests: Debian's Dovecot, started once per test session.

Dovecot runs in the foreground from its own configuration in a temporary directory
(its own ports on 127.0.0.1, users in a passwd file, maildirs in the directory),
with plain IMAP and IMAPS on a self-signed certificate made here. The system service
is never touched. Without Dovecot (`scripts/install-imap.sh` installs it) the tests
that need it are skipped, unless HYGIE_REQUIRE_IMAP=1 makes that a failure.
"""

from __future__ import annotations

import datetime as dt
import getpass
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from hygie.testing.smtp import free_port

DOVECOT = os.environ.get("HYGIE_DOVECOT", "/usr/sbin/dovecot")
# Accounts prepared per test process (each test that needs a mailbox takes a new one).
ACCOUNTS = 1000

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# A refused password is answered at once, and the next sign-in from the same address
# too: by default Dovecot waits, then slows that address down for a while (against
# guessing), which only slowed the tests that check the refusal by seconds. Closing the
# penalty's socket is Dovecot's documented way to turn it off.
auth_failure_delay = 0
first_valid_uid = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _self_signed(root: Path) -> None:
    """A certificate for 127.0.0.1 and localhost, which the tests trust explicitly."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (root / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@dataclass
class ImapAccount:
    server: ImapServer
    username: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        client.login(self.username, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the account's folder, as the mail server would."""
        client = self.client()
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def uids(self, folder: str = "INBOX", criteria: list[str] | None = None) -> list[int]:
        client = self.client()
        try:
            if folder != "INBOX" and not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(client.search(criteria or ["ALL"]))
        finally:
            client.logout()


class ImapServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._accounts = itertools.count(1)

    @property
    def certificate(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        # Dovecot's auth process runs as its own user: it must reach the passwd file
        # (test passwords only).
        self.root.chmod(0o755)
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        _self_signed(self.root)
        # Every account is written before Dovecot starts: it re-reads a changed passwd
        # file only when it notices the change (modification time in whole seconds),
        # so accounts appended while it runs could be refused for a moment.
        (self.root / "passwd").write_text(
            "".join(
                f"{self._credentials(n)[0]}:{{PLAIN}}{self._credentials(n)[1]}::::::\n"
                for n in range(1, ACCOUNTS + 1)
            )
        )
        (self.root / "passwd").chmod(0o644)
        is_root = os.getuid() == 0
        user = getpass.getuser()
        uid, gid = os.getuid(), os.getgid()
        if is_root:
            # Dovecot never runs a mail process as root: the maildirs belong to nobody.
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
            for name in ("mail", "home"):
                os.chown(self.root / name, uid, gid)
        config = CONFIG.format(
            root=self.root,
            port=self.port,
            tls_port=self.tls_port,
            uid=uid,
            gid=gid,
            login_user="dovenull" if is_root else user,
            internal_user="dovecot" if is_root else user,
        )
        (self.root / "dovecot.conf").write_text(config)
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own config
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self._failure())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(self._failure())

    def _failure(self) -> str:
        log = self.root / "dovecot.log"
        errors = self.process.stderr.read().decode() if self.process and self.process.stderr else ""
        text = log.read_text() if log.exists() else ""
        return f"Dovecot did not start: {errors}{text[-2000:]}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @staticmethod
    def _credentials(number: int) -> tuple[str, str]:
        return f"reports{number}", f"imap-pass-{number}-x7Q"

    def new_account(self) -> ImapAccount:
        """A user not used before in this session, so its mailbox is empty."""
        number = next(self._accounts)
        if number > ACCOUNTS:
            raise RuntimeError(f"More than {ACCOUNTS} IMAP accounts in one test session.")
        return ImapAccount(self, *self._credentials(number))

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificate))


def imap_available() -> bool:
    return os.access(DOVECOT, os.X_OK)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """Dovecot for the whole session (per test process)."""
    if not imap_available():
        message = (
            f"Dovecot is not installed at {DOVECOT}: run scripts/install-imap.sh "
            "to run the report mailbox tests against a real IMAP server."
        )
        if os.environ.get("HYGIE_REQUIRE_IMAP") == "1":
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="imap-"))
    server = ImapServer(root)
    try:
        server.start()
    except RuntimeError as exc:
        if os.environ.get("HYGIE_REQUIRE_IMAP") == "1":
            raise
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_account(imap_server: ImapServer, settings: Any) -> ImapAccount:
    # The test server listens on loopback, on ports of its own: allowed as an
    # operator would allow a self-hosted mail server.
    settings.REPORT_MAILBOX_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.REPORT_MAILBOX_EXTRA_PORTS = [imap_server.port, imap_server.tls_port]
    return imap_server.new_account()
