"""The help centre in real Chromium, at desktop and phone widths: a visitor
starts at `/`, searches with a typo, opens the article, says it did not
help and adds a comment; a staff member writes an article (the live preview
shows the Markdown, inert), saves it as a draft (not in the help centre
yet), publishes it, and a visitor then finds it. axe finds nothing critical
or serious; no console errors."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Article, ArticleFeedback
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import portal_session, sign_in
from tests.browser.axe import axe_violations
from tests.browser.conftest import wait_until_connected


@pytest.mark.parametrize("width", [1280, 375])
def test_a_visitor_searches_with_a_typo_opens_the_article_and_votes(portal, browser, width):
    comment = f"Say where Billing is {uuid.uuid4().hex[:6]}"
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(portal.url + "/")  # a visitor's start page is the help centre
        expect(page).to_have_url(re.compile(r"/help/?$"))
        expect(page.get_by_role("heading", name="Help centre", level=1)).to_be_visible()
        expect(page.locator("main[aria-busy='false']")).to_have_count(1)
        page.get_by_label("Search the help centre").fill("invocie")
        page.get_by_label("Search the help centre").press("Enter")
        expect(page.get_by_text(re.compile("No exact match: showing results for"))).to_be_visible()
        results = page.get_by_role("list", name="Search results")
        expect(results.get_by_role("link", name="How to pay an invoice")).to_be_visible()
        expect(results.locator("mark").first).to_have_text(re.compile("invoice", re.IGNORECASE))
        # Only public articles: the one for signed-in customers is not offered to a visitor.
        expect(results.get_by_role("link", name="Refunds and cancellations")).to_have_count(0)
        assert axe_violations(page) == []

        results.get_by_role("link", name="How to pay an invoice").click()
        expect(page.get_by_role("heading", name="How to pay an invoice", level=1)).to_be_visible()
        expect(page.locator(".article-body strong").first).to_have_text("Billing")
        expect(page.get_by_role("list", name="Related articles")).to_be_visible()
        page.get_by_role("group", name="Was this helpful?").get_by_role("button", name="No").click()
        expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
        page.get_by_label("Anything to add? (optional)").fill(comment)
        assert axe_violations(page) == []  # (with one toast: a second one stacked behind it is dimmed)
        page.get_by_role("button", name="Send comment").click()
        expect(page.get_by_text("Thank you: your comment reached the team.").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        ctx.close()
    with portal_session(portal) as session:
        row = session.exec(select(ArticleFeedback).where(ArticleFeedback.comment == comment)).one()
        assert (row.helpful, row.user_id) == (False, None)


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_write_and_publish_an_article_that_then_appears_in_the_help_centre(portal, browser, width):
    word = f"quokka{uuid.uuid4().hex[:8]}"
    title = f"Feeding the {word}"
    staff_ctx = browser.new_context(viewport={"width": width, "height": 900})
    visitor_ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_KNOWLEDGE)
        expect(staff.get_by_role("heading", name="Knowledge base", level=1)).to_be_visible()
        expect(staff.get_by_role("list", name="Articles").get_by_role("link", name="How to pay an invoice")).to_be_visible()
        assert axe_violations(staff) == []
        staff.get_by_role("link", name="New article").click()
        expect(staff.get_by_role("heading", name="New article")).to_be_visible()
        form = staff.get_by_role("form", name="Article")
        # A blank title is refused next to its field; what was typed stays.
        form.get_by_label("Text (Markdown)").fill(f"Give the {word} **fresh leaves**.\n\n<script>alert(1)</script>")
        preview = staff.get_by_role("region", name="Preview")
        expect(preview.locator("strong")).to_have_text("fresh leaves")
        expect(preview.locator("script")).to_have_count(0)
        form.get_by_label("Title").fill("   ")
        form.get_by_role("button", name="Save").click()
        expect(form.get_by_text("Title is required.")).to_be_visible()
        expect(form.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
        expect(form.get_by_label("Text (Markdown)")).to_have_value(re.compile("fresh leaves"))
        form.get_by_label("Title").fill(title)
        form.get_by_label("Category").select_option(label="Your account")
        form.get_by_role("button", name="Save").click()
        expect(staff.get_by_text(f"\u201c{title}\u201d saved as a draft.")).to_be_visible()
        expect(staff).to_have_url(re.compile(r"/staff/knowledge/article/?\?id=\d+"))
        expect(staff.get_by_role("heading", name="Edit the article")).to_be_visible()
        assert axe_violations(staff) == []

        # A draft is not in the help centre.
        visitor = visitor_ctx.new_page()
        visitor.goto(portal.url + routes.HELP + "?q=" + word)
        expect(visitor.get_by_text("No article matches your search.")).to_be_visible()

        staff.get_by_role("button", name="Publish").press("Enter")  # by keyboard: at 375 px the toast covers it
        expect(staff.get_by_text(re.compile("published: it is in the help centre now"))).to_be_visible()

        visitor.goto(portal.url + routes.HELP)
        expect(visitor.locator("main[aria-busy='false']")).to_have_count(1)  # loaded: the box shows no query
        visitor.get_by_label("Search the help centre").fill(word)
        visitor.get_by_role("button", name="Search").click()
        visitor.get_by_role("list", name="Search results").get_by_role("link", name=title).click()
        expect(visitor.get_by_role("heading", name=title, level=1)).to_be_visible()
        expect(visitor.locator(".article-body strong")).to_have_text("fresh leaves")
        expect(visitor.locator(".article-body script")).to_have_count(0)
    finally:
        staff_ctx.close()
        visitor_ctx.close()
    with portal_session(portal) as session:
        article = session.exec(select(Article).where(Article.title == title)).one()
        assert (article.status, article.visibility) == ("published", "public")


def test_an_article_for_chosen_organisations_is_read_by_their_members_only(portal, browser):
    from portal_app.services.demo import DEMO_ORGANIZATIONS

    word = f"wombat{uuid.uuid4().hex[:8]}"
    title = f"Acme only {word}"
    (_, _, alice), (_, _, gus) = DEMO_ORGANIZATIONS[0], DEMO_ORGANIZATIONS[1]
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_ARTICLE)
        form = staff.get_by_role("form", name="Article")
        expect(form.get_by_label("Title")).to_be_visible()
        form.get_by_label("Title").fill(title)
        form.get_by_label("Text (Markdown)").fill(f"The {word} arrangement.")
        form.get_by_label("Who sees it").select_option(label="Chosen organisations")
        form.get_by_role("button", name="Save").click()
        expect(form.get_by_text("Choose at least one organisation.")).to_be_visible()
        form.get_by_label("Find an organisation").fill("acme")
        form.get_by_role("button", name="Add Acme Ltd").click()
        expect(form.get_by_role("button", name="Remove Acme Ltd")).to_be_visible()
        assert axe_violations(staff) == []
        form.get_by_role("button", name="Save").click()
        expect(staff.get_by_text(f"\u201c{title}\u201d saved as a draft.")).to_be_visible()
        # Saving a new article opens its own editor page: wait until it has
        # loaded before pressing Publish, or the press lands on the page going away.
        expect(staff).to_have_url(re.compile(r"/staff/knowledge/article/?\?id=\d+"))
        wait_until_connected(staff)
        staff.get_by_role("button", name="Publish").press("Enter")
        expect(staff.get_by_text(re.compile("published: it is in the help centre now"))).to_be_visible()
    finally:
        staff_ctx.close()
    for email, sees in ((alice, True), (gus, False)):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = ctx.new_page()
            sign_in(page, portal.url, email, DEMO_PASSWORD)
            page.goto(portal.url + routes.HELP + "?q=" + word)
            if sees:
                expect(page.get_by_role("list", name="Search results").get_by_role("link", name=title)).to_be_visible()
            else:
                expect(page.get_by_text("No article matches your search.")).to_be_visible()
        finally:
            ctx.close()
