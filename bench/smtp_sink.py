"""A minimal SMTP sink for benchmarks: accepts and discards, in its own process.

Prints its port on stdout, then serves until killed.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def main() -> None:
    controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print(controller.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
