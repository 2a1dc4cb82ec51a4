"""Polling the report mailboxes over IMAP, from the workers.

A poll is claimed like the scheduler claims a job: a conditional UPDATE moves the
mailbox's `next_poll_at` forward, so with several workers one polls and the others
find nothing to do. Within a poll, messages are fetched with BODY.PEEK (nothing is
marked read by fetching) and each goes through `intake.ingest`, whose unique
constraint makes processing exactly-once even if two pollers meet (a claim that
expired under a slow poll, a manual poll). Only after its report is committed is a
message marked processed (flagged, or moved to the processed folder): a crash in
between means the message is seen again, recognised as known, and only marked.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from hygie.lib import netguard
from hygie.reporting.crypto import SecretUnreadable, decrypt
from hygie.reporting.intake import RAW_LIMIT, ingest
from hygie.reporting.models import Mailbox, Processing, Report, Security
from hygie.reporting.pinned_imap import PinnedIMAPClient

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
MESSAGES_PER_POLL = 50
SCAN_LIMIT = 1000
# Keyword set on processed messages when they stay in the folder.
PROCESSED_KEYWORD = "$Processed"


class MailboxError(Exception):
    """A connection problem, worded for the person who configures the mailbox."""


def ssl_context() -> ssl.SSLContext:
    # Certificates are always verified; tests point this at their own authority.
    return ssl.create_default_context()


# The IMAP ports; the platform operator may add others (HYGIE_MAILBOX_EXTRA_PORTS).
IMAP_PORTS = (143, 993)


def allowed_ports() -> list[int]:
    return sorted({*IMAP_PORTS, *settings.REPORT_MAILBOX_EXTRA_PORTS})


def _checked_addresses(mailbox: Mailbox) -> list[str]:
    """The server's addresses, refused unless public and on an IMAP port.

    Checked at each connection (test and every poll): a name that was public when the
    mailbox was saved may point at the platform's own network tomorrow.
    """
    if mailbox.port not in allowed_ports():
        raise MailboxError(
            _("Port %(port)d is not allowed: use an IMAP port (%(ports)s).")
            % {"port": mailbox.port, "ports": ", ".join(str(p) for p in allowed_ports())}
        )
    try:
        return netguard.public_addresses(
            mailbox.host,
            mailbox.port,
            allowed_networks=netguard.parse_networks(settings.REPORT_MAILBOX_ALLOWED_NETWORKS),
        )
    except netguard.HostNotFound:
        raise MailboxError(
            _("The server name “%(host)s” cannot be found.") % {"host": mailbox.host}
        ) from None
    except netguard.AddressNotAllowed:
        raise MailboxError(
            _(
                "“%(host)s” leads to a local or private network address: only a mail server "
                "reachable on the internet is allowed."
            )
            % {"host": mailbox.host}
        ) from None


def _open(mailbox: Mailbox, addresses: list[str]) -> IMAPClient:
    """A connection to the first address that answers."""
    last: OSError | None = None
    for address in addresses:
        try:
            return PinnedIMAPClient(
                mailbox.host,
                address=address,
                port=mailbox.port,
                ssl=mailbox.security == Security.SSL,
                ssl_context=ssl_context(),
                timeout=TIMEOUT_SECONDS,
            )
        except (ssl.SSLError, IMAPClientError):
            raise
        except OSError as exc:
            last = exc
    assert last is not None  # noqa: S101 - addresses is never empty
    raise last


def _connect(mailbox: Mailbox, password: str | None = None) -> IMAPClient:
    try:
        secret = password if password is not None else decrypt(mailbox.password_encrypted)
    except SecretUnreadable:
        raise MailboxError(
            _("The stored password cannot be read (the encryption key changed): enter it again.")
        ) from None
    addresses = _checked_addresses(mailbox)
    # The messages below never repeat what the remote end said: the connection test
    # must not become a way to read other services' banners.
    try:
        client = _open(mailbox, addresses)
        if mailbox.security == Security.STARTTLS:
            client.starttls(ssl_context())
        client.login(mailbox.username, secret)
    except ConnectionRefusedError:
        raise MailboxError(_("Connection refused.")) from None
    except TimeoutError:
        raise MailboxError(
            _("Timeout: no answer within %(seconds)d seconds.") % {"seconds": TIMEOUT_SECONDS}
        ) from None
    except ssl.SSLCertVerificationError:
        raise MailboxError(_("Invalid certificate.")) from None
    except ssl.SSLError:
        raise MailboxError(
            _("The secure connection failed. Check the port and the security mode.")
        ) from None
    except LoginError:
        raise MailboxError(_("The server refused the user name or the password.")) from None
    except (IMAPClientError, OSError):
        raise MailboxError(
            _("The connection failed: the server did not answer as an IMAP server.")
        ) from None
    return client


def _select(client: IMAPClient, folder: str) -> int:
    try:
        info = client.select_folder(folder)
    except IMAPClientError:
        raise MailboxError(
            _("The folder “%(folder)s” does not exist.") % {"folder": folder}
        ) from None
    return int(info[b"UIDVALIDITY"])


def test_connection(mailbox: Mailbox, *, password: str | None = None) -> str:
    """Connect, sign in and open the folder; a sentence saying what was found."""
    client = _connect(mailbox, password)
    try:
        _select(client, mailbox.folder)
        count = len(client.search(["NOT", "DELETED"]))
    finally:
        _logout(client)
    return _("Connected: %(count)d message(s) in “%(folder)s”.") % {
        "count": count,
        "folder": mailbox.folder,
    }


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(IMAPClientError, OSError):
        client.logout()


@dataclass
class PollResult:
    processed: int = 0
    already_done: int = 0
    failed: int = 0
    marked: list[int] = field(default_factory=list)
    # More new messages are waiting than one poll takes.
    more: bool = False


def _fetch(client: IMAPClient, uid: int, size: int) -> bytes:
    if size > RAW_LIMIT:
        # A huge message is read only up to the limit; the rest stays on the server.
        section = f"BODY.PEEK[]<0.{RAW_LIMIT}>"
        key = b"BODY[]<0>"
    else:
        section, key = "BODY.PEEK[]", b"BODY[]"
    data: dict[int, dict[bytes, Any]] = client.fetch([uid], [section])
    return bytes(data.get(uid, {}).get(key) or b"")


def _mark(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.processed_folder:
        if not client.folder_exists(mailbox.processed_folder):
            client.create_folder(mailbox.processed_folder)
        if client.has_capability("MOVE"):
            client.move(uids, mailbox.processed_folder)
        else:
            client.copy(uids, mailbox.processed_folder)
            client.delete_messages(uids)
            client.uid_expunge(uids)
    else:
        client.add_flags(uids, [b"\\Seen", PROCESSED_KEYWORD.encode()])


def pending_uids(client: IMAPClient, mailbox: Mailbox) -> tuple[int, list[int], list[int]]:
    """UIDVALIDITY, the new UIDs and the UIDs already processed but not yet marked."""
    uidvalidity = _select(client, mailbox.folder)
    criteria: list[Any] = ["NOT", "DELETED"]
    if not mailbox.processed_folder:
        criteria += ["NOT", "KEYWORD", PROCESSED_KEYWORD]
    # Oldest first, and a bounded number per poll: a flooded mailbox drains over polls.
    uids = sorted(int(uid) for uid in client.search(criteria))[:SCAN_LIMIT]
    known = {
        uid
        for uid in Report.objects.filter(
            mailbox=mailbox, uidvalidity=uidvalidity, uid__in=uids
        ).values_list("uid", flat=True)
        if uid is not None
    }
    new = [uid for uid in uids if uid not in known]
    return uidvalidity, new, sorted(known)


def poll(mailbox: Mailbox, *, limit: int = MESSAGES_PER_POLL) -> PollResult:
    """Process the new messages of one mailbox (at most `limit`)."""
    result = PollResult()
    client = _connect(mailbox)
    try:
        uidvalidity, new, known = pending_uids(client, mailbox)
        result.marked.extend(known)
        result.already_done = len(known)
        batch = new[:limit]
        result.more = len(new) > limit
        sizes = client.fetch(batch, ["RFC822.SIZE"]) if batch else {}
        for uid in batch:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            raw = _fetch(client, uid, size)
            if not raw:
                continue  # deleted meanwhile by someone else
            report = process_message(mailbox, uidvalidity=uidvalidity, uid=uid, raw=raw, size=size)
            if report is None:
                result.already_done += 1
            elif report.processing == Processing.FAILED:
                result.failed += 1
            else:
                result.processed += 1
            result.marked.append(uid)
        _mark(client, mailbox, sorted(set(result.marked)))
    except IMAPClientError as exc:
        raise MailboxError(
            _("The IMAP server answered: %(reason)s") % {"reason": str(exc)[:200]}
        ) from None
    finally:
        _logout(client)
    return result


def process_message(
    mailbox: Mailbox, *, uidvalidity: int, uid: int, raw: bytes, size: int
) -> Report | None:
    """One fetched message through intake; None when another poller already took it."""
    return ingest(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, raw=raw, size=size or len(raw))


def _claim(mailbox: Mailbox, now: datetime) -> bool:
    claimed = Mailbox.objects.filter(pk=mailbox.pk, next_poll_at=mailbox.next_poll_at).update(
        next_poll_at=now + timedelta(minutes=max(mailbox.poll_minutes, 1))
    )
    # Nothing updated: another worker claimed this poll first.
    return claimed == 1


def poll_due(worker_id: str, *, now: datetime | None = None) -> int:
    """Worker step: poll every enabled mailbox whose turn has come. Never raises."""
    now = now or timezone.now()
    done = 0
    due = Mailbox.objects.filter(enabled=True, next_poll_at__lte=now).exclude(password_encrypted="")
    for mailbox in due:
        if not _claim(mailbox, now):
            continue
        error = ""
        try:
            result = poll(mailbox, limit=MESSAGES_PER_POLL)
            done += result.processed + result.failed
            if result.more:
                # A flood: the next worker step goes on rather than waiting an interval.
                Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=now)
        except MailboxError as exc:
            error = str(exc)
        except Exception as exc:
            logger.exception("report_mailbox_poll_failed", extra={"mailbox": mailbox.pk})
            error = f"{type(exc).__name__}: {exc}"
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(), last_error=error[:500]
        )
    return done
