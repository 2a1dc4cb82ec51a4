"""Run the local mail catcher in the foreground until SIGTERM or Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from hygie.operations.loop import StopFlag
from hygie.operations.mail_catcher import start_catcher


class Command(BaseCommand):
    help = "Accept SMTP on 127.0.0.1 and keep every message as an .eml file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.MAIL_CATCHER_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = StopFlag()
        stop.install()
        controller = start_catcher(settings.MAIL_CATCHER_DIR, options["host"], options["port"])
        self.stdout.write(
            f"Mail catcher listening on {options['host']}:{options['port']}, "
            f"messages kept in {settings.MAIL_CATCHER_DIR}"
        )
        try:
            while not stop.is_set:
                stop.wait(1.0)
        finally:
            controller.stop()
