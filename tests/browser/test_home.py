"""The home page in real Chromium against the real app: its sign-in form
waits for the websocket, the shell adapts to a phone, and the headers are
set."""

import httpx
from playwright.sync_api import expect


def test_home_page_is_sign_in_once_the_backend_answers(portal, page):
    page.goto(portal.url + "/")
    # The form appears only once the session is resolved by an event handler:
    # proof the websocket round trip works.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_be_visible()
    expect(page).to_have_title("Sign in · Customer Portal")


def test_phone_width_shows_the_menu_instead_of_the_sidebar(portal, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        page = ctx.new_page()
        page.goto(portal.url + "/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        page.get_by_role("button", name="Open menu").click()
        expect(page.get_by_role("menuitem", name="Create an account")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        ctx.close()


def test_desktop_width_shows_the_sidebar(portal, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(portal.url + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Open menu")).to_be_hidden()


def test_pages_and_api_carry_security_headers(portal):
    for path in ("/", "/api/health"):
        headers = httpx.get(portal.url + path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_health_routes_tell_anonymous_callers_little(portal):
    assert httpx.get(portal.url + "/api/health").json() == {"status": "ok"}  # the schema is for staff
    reflex_health = httpx.get(portal.url + "/_health").json()  # Reflex's own: booleans only
    assert set(reflex_health) <= {"status", "db", "redis"} and reflex_health["status"] is True
    assert all(isinstance(v, bool) or v == "NA" for v in reflex_health.values())
    assert httpx.get(portal.url + "/api/openapi.json").status_code == 404  # staff only


def test_interactive_api_docs_are_not_exposed(portal):
    assert httpx.get(portal.url + "/docs").status_code == 404


def test_oversized_uploads_are_refused_before_reflex_reads_them(portal):
    too_big = b"x" * (6 * 1024 * 1024)
    response = httpx.post(portal.url + "/_upload", content=too_big,
                          headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert response.headers["content-type"] == "application/problem+json"
