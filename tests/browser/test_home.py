"""The home page in real Chromium against the real app: its sign-in form
waits for the websocket, the shell adapts to a phone, and the headers are
set."""

import re

import httpx
from playwright.sync_api import expect
from sqlmodel import select

from portal_app.models.knowledge import Article
from tests.browser.accounts_helpers import portal_session
from tests.browser.axe import axe_violations


def test_a_visitors_start_page_is_the_help_centre_with_the_way_to_sign_in(portal, page):
    page.goto(portal.url + "/")  # the demo data has public articles
    expect(page).to_have_url(re.compile(r"/help/?$"))
    expect(page.get_by_role("heading", name="Help centre", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Articles").get_by_role("link").first).to_be_visible()
    assert axe_violations(page) == []
    page.go_back()  # `/` was replaced, not stacked: Back leaves, not bounced to the help centre again
    expect(page).not_to_have_url(re.compile(r"/help"))
    page.goto(portal.url + "/")
    page.get_by_role("main").get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_be_visible()


def test_a_visitor_sent_to_sign_in_gets_the_form_even_with_a_help_centre(portal, page):
    page.goto(portal.url + "/?next=/tickets")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_title("Sign in · Customer Portal")


def test_without_public_articles_the_start_page_is_the_sign_in_form(portal, page):
    """Until the help centre has something to show, `/` is the sign-in
    form (the public articles are drafts for this test, then published
    again: the browser tests share one portal, one test at a time)."""
    with portal_session(portal) as session:
        public = session.exec(select(Article).where(Article.status == "published",
                                                    Article.visibility == "public")).all()
        ids = [a.id for a in public]
        for article in public:
            article.status = "draft"
        session.commit()
    try:
        page.goto(portal.url + "/")
        # The form appears only once the session is resolved by an event
        # handler: proof the websocket round trip works.
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_label("Email", exact=True)).to_be_visible()
        expect(page).to_have_url(re.compile(r"/$"))
    finally:
        with portal_session(portal) as session:
            for article in session.exec(select(Article).where(Article.id.in_(ids))).all():
                article.status = "published"
            session.commit()


def test_phone_width_shows_the_menu_instead_of_the_sidebar(portal, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        page = ctx.new_page()
        page.goto(portal.url + "/sign-in")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        page.get_by_role("button", name="Open menu").click()
        expect(page.get_by_role("menuitem", name="Create an account")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        ctx.close()


def test_desktop_width_shows_the_sidebar(portal, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(portal.url + "/sign-in")
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
