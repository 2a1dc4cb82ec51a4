"""SMS backends: a console/file backend for development and a generic HTTP provider.

Configured by HYGIE_SMS_BACKEND ("file", "console" or "http"); the HTTP backend
POSTs JSON {"to", "text", "sender"} to HYGIE_SMS_URL with a bearer token.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone

from hygie.delivery.transport import Outcome, Result

logger = logging.getLogger(__name__)


class SmsBackend:
    def send(self, *, to: str, text: str, reference: str) -> Result:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, to: str, text: str, reference: str) -> Result:
        logger.info("sms", extra={"to": to, "text": text, "reference": reference})
        return Result(Outcome.SENT, reference)


class FileSmsBackend(SmsBackend):
    """Keeps each SMS as a JSON file in <var>/sms, like the mail catcher does for email."""

    def send(self, *, to: str, text: str, reference: str) -> Result:
        directory = Path(settings.VAR_DIR) / "sms"
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        (directory / f"{stamp}-{reference[:16]}.json").write_text(
            json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False)
        )
        return Result(Outcome.SENT, reference)


class HttpSmsBackend(SmsBackend):
    def __init__(self, url: str, token: str, sender: str) -> None:
        self.url, self.token, self.sender = url, token, sender
        self.session = requests.Session()

    def send(self, *, to: str, text: str, reference: str) -> Result:
        try:
            response = self.session.post(
                self.url,
                json={"to": to, "text": text, "sender": self.sender, "reference": reference},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=15,
            )
        except requests.RequestException as exc:
            return Result(Outcome.TEMPORARY, f"network: {exc}"[:500])
        detail = f"{response.status_code} {response.text[:200]}"
        if response.ok:
            return Result(Outcome.SENT, detail)
        if response.status_code == 429 or response.status_code >= 500:
            return Result(Outcome.TEMPORARY, detail)
        return Result(Outcome.PERMANENT, detail)


def sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    if name == "http":
        return HttpSmsBackend(settings.SMS_URL, settings.SMS_TOKEN, settings.SMS_SENDER)
    if name == "console":
        return ConsoleSmsBackend()
    return FileSmsBackend()
