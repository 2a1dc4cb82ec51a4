"""Transactional email (staff invitations and notices; practitioners' sign-in links and
answers to their reports) from a template triple.

Practitioner mail at scale goes through the delivery engine instead; this is for the
occasional message, sent after the transaction commits so that a rollback never leaves
an email behind. A message to a practitioner comes from their organisation (its name,
its address, its Reply-To, its DKIM signature): see delivery.selectors.organisation_email.
French messages get French typography.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from typing import Any

import dkim
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from hygie.lib.typography import french_html, french_text


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_key: str


class SignedEmail(EmailMultiAlternatives):
    """An email that carries a DKIM signature when it is given a key."""

    dkim_key: DkimKey | None = None

    def message(self, *, policy: Any = email.policy.default) -> Any:
        msg = super().message(policy=policy)
        key = self.dkim_key
        if key is None:
            return msg
        crlf = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
        signature = dkim.sign(
            crlf,
            key.selector.encode(),
            key.domain.encode(),
            key.private_key.encode(),
            include_headers=[
                b"from",
                b"to",
                b"reply-to",
                b"subject",
                b"date",
                b"message-id",
                b"mime-version",
                b"content-type",
            ],
        )
        linesep = msg.policy.linesep.encode()
        signed = signature.replace(b"\r\n", linesep) + crlf.replace(b"\r\n", linesep)
        # The backends send `as_bytes()`: the signed bytes, exactly as they were signed.
        msg.as_bytes = lambda *args, **kwargs: signed  # type: ignore[method-assign]
        return msg


def build_email(
    name: str,
    *,
    to: list[str],
    context: dict[str, Any],
    language: str = "fr",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    dkim_key: DkimKey | None = None,
) -> EmailMultiAlternatives:
    """Render emails/<name>-subject.txt, -body.txt and -body.html in `language`."""
    with translation.override(language):
        subject = str(render_to_string(f"emails/{name}-subject.txt", context))
        text = str(render_to_string(f"emails/{name}-body.txt", context))
        html = str(render_to_string(f"emails/{name}-body.html", context))
    subject = " ".join(subject.split())
    if language.startswith("fr"):
        subject, text, html = french_text(subject), french_text(text), french_html(html)
    message = SignedEmail(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    message.dkim_key = dkim_key
    message.attach_alternative(html, "text/html")
    return message


def send_email_on_commit(
    name: str, *, to: list[str], context: dict[str, Any], language: str = "fr"
) -> None:
    message = build_email(name, to=to, context=context, language=language)
    transaction.on_commit(lambda: message.send(fail_silently=False))


def absolute_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"
