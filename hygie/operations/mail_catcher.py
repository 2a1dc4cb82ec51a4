"""A local SMTP server that keeps every message instead of delivering it.

Used by `make run` so that the demo platform can send real SMTP traffic
without any risk of reaching a real mailbox. Messages are written as .eml
files, one per recipient envelope, in the catcher directory.
"""

from __future__ import annotations

import logging
import uuid
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from django.utils import timezone

logger = logging.getLogger(__name__)


class StoringHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        path.write_bytes(raw)
        subject = message_from_bytes(raw, policy=default_policy).get("Subject", "")
        logger.info(
            "mail caught",
            extra={"to": list(envelope.rcpt_tos), "subject": str(subject), "file": path.name},
        )
        return "250 Message accepted for delivery"


def start_catcher(directory: Path, host: str, port: int) -> Controller:
    controller = Controller(StoringHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def caught_messages(directory: Path) -> list[Path]:
    """Caught messages, newest first."""
    if not directory.exists():
        return []
    return sorted(directory.glob("*.eml"), reverse=True)
