"""Sending over SMTP: one connection reused for a batch, outcomes classified.

Each outcome says what to do next: `sent`, `temporary` (this message: retry
later, 4xx), `permanent` (this message: 5xx, do not retry) or `unavailable` (the
relay itself: refused or lost connection, a 421 "service not available", a
timeout; back off the whole batch and spend no message's attempts).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""


def _describe(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}".strip()[:500]


# "Service not available, closing transmission channel" (RFC 5321), whatever the
# command it answers: the relay, not the message.
SERVICE_UNAVAILABLE = 421


def _classify(code: int, message: bytes | str) -> Result:
    if code == SERVICE_UNAVAILABLE:
        return Result(Outcome.UNAVAILABLE, _describe(code, message))
    outcome = Outcome.PERMANENT if 500 <= code < 600 else Outcome.TEMPORARY
    return Result(outcome, _describe(code, message))


class SmtpTransport:
    """A reusable SMTP session configured from the default mailer's options."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        default: dict[str, Any] = settings.MAILERS["default"].get("OPTIONS", {})  # type: ignore[assignment]
        config = options if options is not None else default
        self.host = config.get("host", "127.0.0.1")
        self.port = int(config.get("port", 25))
        self.username = config.get("username") or ""
        self.password = config.get("password") or ""
        self.use_tls = bool(config.get("use_tls"))
        self.use_ssl = bool(config.get("use_ssl"))
        self.timeout = float(config.get("timeout") or 20)
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        if self.connection is not None:
            return
        # Built only when needed: loading the CA store costs tens of milliseconds.
        context = ssl.create_default_context() if (self.use_ssl or self.use_tls) else None
        if self.use_ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                connection.starttls(context=context)
        if self.username:
            connection.login(self.username, self.password)
        self.connection = connection

    def _connected(self) -> smtplib.SMTP:
        self.open()
        if self.connection is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        return self.connection

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, *, envelope_from: str, to: str, data: bytes) -> Result:
        reused = self.connection is not None
        result, dropped = self._send_once(envelope_from, to, data)
        if dropped and reused:
            # A kept connection the relay closed meanwhile (an idle timeout): once more,
            # on a fresh one, before calling the relay down.
            result, dropped = self._send_once(envelope_from, to, data)
        return result

    def _send_once(self, envelope_from: str, to: str, data: bytes) -> tuple[Result, bool]:
        """The outcome, and whether the connection was lost on the way."""
        try:
            connection = self._connected()
        except smtplib.SMTPResponseException as exc:  # a greeting or login refused
            self._drop()
            return Result(Outcome.UNAVAILABLE, _describe(exc.smtp_code, exc.smtp_error)), False
        except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timed out
            self._drop()
            return Result(Outcome.UNAVAILABLE, f"connection: {exc}"[:500]), False
        try:
            refused = connection.sendmail(envelope_from, [to], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, message = next(iter(exc.recipients.values()))
            self._drop_if_closed(code)
            return _classify(code, message), False
        except smtplib.SMTPResponseException as exc:
            # Covers SMTPSenderRefused and SMTPDataError; 421 also closes the session.
            self._drop_if_closed(exc.smtp_code)
            return _classify(exc.smtp_code, exc.smtp_error), False
        except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as exc:
            self._drop()
            return Result(Outcome.UNAVAILABLE, f"connection lost: {exc}"[:500]), True
        except smtplib.SMTPException as exc:
            self._drop()
            return Result(Outcome.TEMPORARY, str(exc)[:500]), False
        if refused:
            code, message = next(iter(refused.values()))
            return _classify(code, message), False
        return Result(Outcome.SENT), False

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop_if_closed(self, code: int) -> None:
        if code == SERVICE_UNAVAILABLE:
            self._drop()
        else:
            self._reset()

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None
