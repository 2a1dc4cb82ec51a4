"""Sending through an email provider's API (django-anymail) instead of SMTP.

Selected by HYGIE_MAIL_PROVIDER (an anymail backend path, e.g.
"anymail.backends.brevo.EmailBackend"); the provider's own settings come from
ANYMAIL_* environment variables (see docs/operations.md). The message built by
the engine is handed over as it is: subject, both bodies and our headers.
"""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from hygie.delivery.transport import Outcome, Result

# Headers the provider sets itself, or that Django builds from the message fields.
_SKIPPED = {
    "from",
    "to",
    "subject",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "date",
}


class ProviderTransport:
    def __init__(self, backend: str, **options: Any) -> None:
        # Built directly rather than through MAILERS: it only carries deliveries.
        self.connection = import_string(backend)(alias="deliveries", **options)

    def __enter__(self) -> ProviderTransport:
        self.connection.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.close()

    def send(self, *, envelope_from: str, to: str, data: bytes) -> Result:
        from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

        parsed = message_from_bytes(data, policy=default_policy)
        assert isinstance(parsed, EmailMessage)  # noqa: S101 - the default policy's type
        text = parsed.get_body(("plain",))
        html = parsed.get_body(("html",))
        message = EmailMultiAlternatives(
            subject=str(parsed["Subject"] or ""),
            body=text.get_content() if text is not None else "",
            from_email=str(parsed["From"]),
            to=[to],
            headers={k: str(v) for k, v in parsed.items() if k.lower() not in _SKIPPED},
            connection=self.connection,
        )
        if html is not None:
            message.attach_alternative(html.get_content(), "text/html")
        message.envelope_sender = envelope_from  # type: ignore[attr-defined]
        try:
            message.send()
        except AnymailRecipientsRefused as exc:
            return Result(Outcome.PERMANENT, str(exc)[:500])
        except AnymailAPIError as exc:
            code = exc.status_code or 0
            if code == 0 or code == 429 or code >= 500:
                # Unreachable, throttling or failing: the provider, not this message.
                return Result(Outcome.UNAVAILABLE, str(exc)[:500])
            permanent = 400 <= code < 500
            return Result(Outcome.PERMANENT if permanent else Outcome.TEMPORARY, str(exc)[:500])
        status = getattr(message, "anymail_status", None)
        statuses = getattr(status, "status", None) or {"sent"}
        if statuses & {"rejected", "invalid"}:
            return Result(Outcome.PERMANENT, f"provider: {', '.join(sorted(statuses))}")
        return Result(Outcome.SENT, str(getattr(status, "message_id", "") or ""))
