"""Background jobs of staff accounts: password reset messages."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task
from django.utils import translation


@task()
def send_password_reset(address: str, language: str = "fr") -> None:
    """Send the reset link if `address` belongs to an active account; nothing otherwise.

    Runs in a worker, so the request answers in the same time whether the address is
    known or not. The link is built from HYGIE_PUBLIC_BASE_URL, never from the Host
    header of the request that asked for it.
    """
    form = PasswordResetForm({"email": address})
    if not form.is_valid():
        return
    base = urlsplit(settings.PUBLIC_BASE_URL)
    with translation.override(language):
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject_template_name="emails/password_reset-subject.txt",
            email_template_name="emails/password_reset-body.txt",
            html_email_template_name="emails/password_reset-body.html",
        )
