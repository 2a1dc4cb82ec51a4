"""Shared set-up for end-to-end journeys in Debian's headless Chromium (tests only)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("HYGIE_CHROMIUM", "/usr/bin/chromium")
    return candidate if os.path.exists(candidate) else shutil.which("chromium")


@pytest.fixture
def browser_page(live_server: object) -> Iterator[object]:
    """A fresh page in headless Chromium; skipped with a reason when there is no browser."""
    path = chromium_path()
    if path is None:
        if os.environ.get("HYGIE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (HYGIE_REQUIRE_BROWSER=1) but was not found.")
        pytest.skip("Chromium not installed: run `make test`, which installs it where possible.")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
