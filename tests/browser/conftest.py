"""One real portal and one Chromium (Debian's, never a downloaded one) per
test session; a fresh browser context per test.

Every page a test opens is watched: an uncaught script error (`pageerror`) or
a console message of type error fails the test at teardown, so a hydration
mismatch, a CSP violation or a failed resource load cannot hide behind a
passing assertion. A test that provokes one on purpose says so with
`page_errors.allow(pattern)`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from tests import live_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# Waits for a condition (never sleeps) give up after 10 s instead of
# Playwright's 5: a passing test never waits longer, and the browser tests
# share 2 cores with the service tests of the other xdist worker.
expect.set_options(timeout=10_000)

# Console errors that are outside our code. Keep this list short, each with why.
ALLOWED_CONSOLE_ERRORS: list[re.Pattern[str]] = []


class PageErrors:
    """What the pages of one test reported; checked when the test ends."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._allowed: list[re.Pattern[str]] = list(ALLOWED_CONSOLE_ERRORS)

    def allow(self, pattern: str) -> None:
        """For a test that provokes an error on purpose (e.g. a refused 403)."""
        self._allowed.append(re.compile(pattern))

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self._add(f"pageerror on {page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page: Page, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self._add(f"console error on {page.url}: {msg.text} ({where})")

    def _add(self, text: str) -> None:
        if not any(p.search(text) for p in self._allowed):
            self.seen.append(text)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


STRIPE_ENV = {"PORTAL_STRIPE_SECRET_KEY": "sk_test_portal", "PORTAL_STRIPE_PUBLISHABLE_KEY": "pk_test_portal",
              "PORTAL_STRIPE_WEBHOOK_SECRET": "whsec_portal"}


@pytest.fixture(scope="session")
def portal(tmp_path_factory, localstripe) -> Iterator[live_app.LiveApp]:
    """The portal as a business runs it, card payments included (against
    localstripe: its Stripe.js stand-in is what the pages load)."""
    app = live_app.start(tmp_path_factory.mktemp("portal-data"), extra_env={
        **STRIPE_ENV, "PORTAL_STRIPE_API_BASE": localstripe,
        "PORTAL_STRIPE_JS_URL": localstripe + "/js.stripe.com/v3/"})
    yield app
    live_app.stop(app)


@pytest.fixture(autouse=True)
def _jobs_go_to_the_portal(request) -> Iterator[None]:
    """Tests also write into the live portal's database through the services
    (`portal_session`), as a second process of the same portal would: while
    such a test runs, the jobs that queues (mail) go to the portal's own job
    queue, which its consumer runs."""
    if "portal" not in request.fixturenames:
        yield
        return
    from huey.storage import SqliteStorage

    from portal_app.jobs.queue import QUEUE_NAME, huey

    app = request.getfixturevalue("portal")
    own, huey.storage = huey.storage, SqliteStorage(QUEUE_NAME, filename=str(app.data_dir / "jobs.db"))
    yield
    huey.storage = own


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page_errors() -> Iterator[PageErrors]:
    errors = PageErrors()
    yield errors
    if errors.seen:
        pytest.fail("the browser reported errors:\n" + "\n".join(errors.seen), pytrace=False)


class WatchedBrowser:
    """The session's Chromium, but every context a test makes from it (a
    phone viewport, a second person) has its pages watched for errors."""

    def __init__(self, browser: Browser, errors: PageErrors) -> None:
        self._browser = browser
        self._errors = errors

    def new_context(self, **kwargs) -> BrowserContext:
        ctx = self._browser.new_context(**kwargs)
        ctx.on("page", self._errors.watch)
        return ctx

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium, page_errors) -> WatchedBrowser:
    return WatchedBrowser(chromium, page_errors)


@pytest.fixture
def context(browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context()
    ctx.on("page", _connected_after_goto)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Page:
    p = context.new_page()
    p.set_default_timeout(20_000)
    return p


def wait_until_connected(page: Page) -> None:
    """The shell marks `main` busy until the session is resolved over the
    websocket and the page's on_load has run: a click before that can race
    the on_load that resets the page, which no person is quick enough to hit
    but a test is."""
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)


def _connected_after_goto(new_page: Page) -> None:
    """Every `goto` that lands on one of the portal's own pages returns once
    the page is connected (`wait_until_connected`); other sites and the HTTP
    routes (`/api/`, `/auth/`) are left alone."""
    plain = new_page.goto

    def goto(url: str, **kwargs):  # noqa: ANN202
        response = plain(url, **kwargs)
        landed = urlsplit(new_page.url)
        if landed.hostname in ("localhost", "127.0.0.1") and not landed.path.startswith(("/api/", "/auth/")):
            wait_until_connected(new_page)
        return response

    new_page.goto = goto
