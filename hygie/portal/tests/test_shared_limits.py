"""With a Redis cache, two web processes count the same rate limit (a real Redis server).

Redis is expected on 127.0.0.1:6379 (HYGIE_TEST_REDIS_URL to change it); without it the
test is skipped, unless HYGIE_REQUIRE_REDIS=1 makes that a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings

REDIS_URL = os.environ.get("HYGIE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# One request for a sign-in link, counted by a process of its own; prints its verdict.
REQUEST = """
import django, sys
django.setup()
from hygie.portal.throttling import allow_link_request
print(allow_link_request(address=sys.argv[1], client=sys.argv[2]))
"""


def redis_reachable() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def request_in_a_new_process(address: str, client: str) -> bool:
    env = {
        **os.environ,
        "DEBUG": "1",  # the development secret key, the same in every process
        "HYGIE_CACHE_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "hygie.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", REQUEST, address, client],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_separate_processes_share_the_sign_in_link_limit():
    if not redis_reachable():
        message = f"No Redis server at {REDIS_URL}: shared rate limits are not tested."
        if os.environ.get("HYGIE_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from hygie.portal.throttling import PER_ADDRESS

    # Keys no other run has used: Redis keeps the counts for the hour.
    run = uuid.uuid4().hex
    address, client = f"limit-{run}@example.org", f"2001:db8::{run[:4]}:{run[4:8]}"
    verdicts = [request_in_a_new_process(address, client) for _ in range(PER_ADDRESS + 1)]
    # Each process alone would allow every request; together they stop at the limit.
    assert verdicts == [True] * PER_ADDRESS + [False]
