"""Transactional staff email (invitations, notices) from a template triple.

Practitioner mail at scale goes through the delivery engine instead; this is
for the occasional message to a staff member, sent after the transaction
commits so that a rollback never leaves an email behind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def build_email(
    name: str, *, to: list[str], context: dict[str, Any], language: str = "fr"
) -> EmailMultiAlternatives:
    """Render emails/<name>-subject.txt, -body.txt and -body.html in `language`."""
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    return message


def send_email_on_commit(
    name: str, *, to: list[str], context: dict[str, Any], language: str = "fr"
) -> None:
    message = build_email(name, to=to, context=context, language=language)
    transaction.on_commit(lambda: message.send(fail_silently=False))


def absolute_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"
