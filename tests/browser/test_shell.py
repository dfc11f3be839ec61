"""The layout shell in real Chromium: who sees which navigation, the current
page marked, the phone menu working by keyboard, the skip link, the 404 page,
`/` per person, and a first paint that never shows the wrong facts."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, sign_in, unique_email

CUSTOMER_NAV = ["Dashboard", "Support", "Billing", "Quotes", "My services", "Catalogue", "Orders", "Documents",
                "Help centre",
                "Organisation", "Notifications", "Profile", "Security"]
STAFF_NAV = ["Back office", "Support", "Invoices", "Quotes", "Subscriptions", "Catalogue", "Orders", "Documents",
             "Canned replies",
             "Support report",
             "Knowledge base", "Audit", "Outbox", "Support forms", "Notifications", "Profile", "Security"]
VISITOR_NAV = ["Sign in", "Create an account", "Help centre"]


def _nav_labels(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link").first).to_be_visible()
    return [text.strip() for text in nav.get_by_role("link").all_inner_texts()]


def _customer(page: Page, portal) -> str:
    email = unique_email("shell")
    create_person(portal, email, company="Shell Co", name="Shelly Customer")
    sign_in(page, portal.url, email)
    return email


def test_visitors_see_only_the_way_in(portal, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(portal.url + "/register")
    assert _nav_labels(page) == VISITOR_NAV
    current = page.get_by_role("navigation", name="Main").get_by_role("link", name="Create an account")
    expect(current).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_have_attribute(
        "aria-current", "false")


def test_customers_see_their_pages_with_the_current_one_marked(portal, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    _customer(page, portal)
    assert _nav_labels(page) == CUSTOMER_NAV
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page).to_have_url(re.compile(r"/account/profile/?$"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")).to_have_attribute(
        "aria-current", "page")
    expect(page.locator("[aria-current='page']")).to_have_count(1)


def test_staff_see_the_back_office_entries(portal, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    assert _nav_labels(page) == STAFF_NAV
    expect(page.get_by_role("status", name="Service status").get_by_text("connected")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Back office").click()
    # The instance's health moved from the public home page to the back office.
    expect(page.get_by_role("status", name="Service status").get_by_text("connected")).to_be_visible()


def test_phone_menu_items_are_whole_links_that_work_by_keyboard(portal, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    page = ctx.new_page()
    _customer(page, portal)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_role("button", name="Open menu").click()
    items = page.get_by_role("menuitem")
    expect(items).to_have_count(len(CUSTOMER_NAV))
    assert [t.strip() for t in items.all_inner_texts()] == CUSTOMER_NAV
    # The item is itself the link: no nested link that only its text answers.
    organisation = page.get_by_role("menuitem", name="Organisation")
    assert organisation.evaluate("el => el.tagName") == "A"
    organisation.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/organisation/?$"))
    # The whole row takes a click, also at its far edge away from the text.
    page.get_by_role("button", name="Open menu").click()
    row = page.get_by_role("menuitem", name="Security")
    box = row.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"/account/security/?$"))


def test_skip_link_is_the_first_tab_stop_and_reaches_the_content(portal, page):
    page.goto(portal.url + "/register")
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_unknown_page_is_a_404_in_the_shell_with_a_way_home(portal, page, page_errors):
    page_errors.allow(r"Failed to load resource: .* 404 \(Not Found\)")  # the status we ask for
    response = page.goto(portal.url + "/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page).to_have_title(re.compile("Page not found"))
    page.get_by_role("link", name="Go to the start page").click()
    expect(page.get_by_role("heading", name="Help centre", level=1)).to_be_visible()  # a visitor's start


def test_home_is_the_help_centre_for_visitors_and_the_dashboard_once_signed_in(portal, page):
    page.goto(portal.url + "/")
    expect(page).to_have_url(re.compile(r"/help/?$"))
    expect(page.get_by_role("heading", name="Help centre", level=1)).to_be_visible()
    expect(page.get_by_text("Database")).to_have_count(0)
    _customer(page, portal)
    page.goto(portal.url + "/")
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("heading", name="Hello, Shelly Customer")).to_be_visible()


# Recorded from the very first parsed node: anything a signed-in person must
# never see, not even for a frame, while the page loads.
_WATCH_WRONG_FACTS = """
window.__wrongFacts = [];
const note = (what) => { if (!window.__wrongFacts.includes(what)) window.__wrongFacts.push(what); };
new MutationObserver(() => {
  if (!document.body) return;
  if (document.body.innerText.includes("Confirm your email")) note("Confirm your email");
  for (const a of document.querySelectorAll("header a")) {
    const label = a.textContent.trim();
    if (label === "Sign in" || label === "Register") note(label);
  }
  for (const h of document.querySelectorAll("h1")) {
    if (h.textContent.trim() === "Hello,") note("Hello, (no name)");
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_a_full_load_never_shows_a_signed_in_person_as_signed_out(portal, page):
    _customer(page, portal)
    page.add_init_script(_WATCH_WRONG_FACTS)
    for path in ("/dashboard", "/account/profile", "/dashboard"):
        page.goto(portal.url + path)
        expect(page.locator("main[aria-busy='false']")).to_have_count(1)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.evaluate("window.__wrongFacts") == [], path
    expect(page.get_by_role("heading", name="Hello, Shelly Customer")).to_be_visible()
