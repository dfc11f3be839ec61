"""One real portal and one Chromium (Debian's, never a downloaded one) per
test session; a fresh browser context per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests import live_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[live_app.LiveApp]:
    app = live_app.start(tmp_path_factory.mktemp("portal-data"))
    yield app
    live_app.stop(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Page:
    p = context.new_page()
    p.set_default_timeout(20_000)
    return p
