"""Shared set-up for end-to-end journeys in Debian's headless Chromium (tests only)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

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


class SharedChromium:
    """One Chromium for journeys that run one after the other in a test process, each in
    a fresh context (its own cookies and storage), as a fresh browser would be.

    Playwright's synchronous API keeps an event loop running in this thread, which
    other tests' asyncio would trip on: the browser is closed before any test that does
    not use it (`pytest_runtest_setup`), and journeys are handed to one worker together
    (hygie/testing/scheduling.py), so that one launch serves them all.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def browser(self, path: str) -> Any:
        if self._browser is not None and not self._browser.is_connected():
            self.close()  # crashed in an earlier journey: start again
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            # Playwright runs an event loop in this thread; the ORM calls made by the
            # test itself are still synchronous and safe.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_FLAGS
            )
        return self._browser

    def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


CHROMIUM = SharedChromium()


@pytest.fixture
def browser_page(live_server: object) -> Iterator[object]:
    """A fresh page in headless Chromium; skipped with a reason when there is no browser."""
    path = chromium_path()
    if path is None:
        if os.environ.get("HYGIE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (HYGIE_REQUIRE_BROWSER=1) but was not found.")
        pytest.skip("Chromium not installed: run `make test`, which installs it where possible.")
    browser = CHROMIUM.browser(path)
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        # With the contexts the journey opened itself (a phone, a second reader).
        for opened in list(browser.contexts):
            opened.close()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "browser_page" not in getattr(item, "fixturenames", ()):
        CHROMIUM.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    CHROMIUM.close()


def as_android_chrome(page: Any) -> str:
    """Make `page` a coherent Chrome on an Android phone: its user agent and its client
    hints (Sec-CH-UA*) say the same thing, with the real Chromium version.

    Chromium sends its own desktop-Linux client hints whatever user agent a test sets;
    a phone's user agent with desktop hints is what a disguised robot looks like, and
    the detector rightly says so. Returns the user agent set.
    """
    version = page.context.browser.version
    major = version.split(".")[0]
    agent = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Mobile Safari/537.36"
    )
    brands = [{"brand": "Chromium", "version": major}, {"brand": "Not.A/Brand", "version": "99"}]
    session = page.context.new_cdp_session(page)
    session.send(
        "Emulation.setUserAgentOverride",
        {
            "userAgent": agent,
            "acceptLanguage": "fr-FR",
            "userAgentMetadata": {
                "brands": brands,
                "fullVersionList": [{"brand": "Chromium", "version": version}],
                "platform": "Android",
                "platformVersion": "14.0.0",
                "architecture": "",
                "model": "Pixel 8",
                "mobile": True,
            },
        },
    )
    return agent
