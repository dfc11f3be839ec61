"""While a customer writes a support request, the help centre answers first:
the subject as typed (a typo too) brings up articles that may answer it; one
opens in a new tab (`?from=ticket`, the deflection's mark) and the form keeps
what was typed, so sending the request after all loses nothing. At 1280
and 375 px, with axe on the form showing its suggestions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sqlmodel import select

from portal_app import routes
from portal_app.models import ArticleSuggestionOpen, User
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations


@pytest.mark.parametrize("width", [1280, 375])
def test_suggested_articles_while_writing_a_request(portal, browser, width):
    customer = unique_email("suggested")
    create_person(portal, customer, company="Suggested Co", name="Sam Suggested")
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.NEW_TICKET)
        page.get_by_label("What is it about?").select_option(label="Billing")
        page.get_by_label("Subject").press_sequentially("cannot pay the invocie", delay=20)
        suggestions = page.locator("#ticket-suggestions")
        article = suggestions.get_by_role("link", name="How to pay an invoice")
        expect(article).to_be_visible()
        assert article.get_attribute("target") == "_blank"
        assert not axe_violations(page)

        with context.expect_page() as opened:
            article.click()
        help_tab = opened.value
        help_tab.wait_for_load_state()
        assert re.search(r"/help/how-to-pay-an-invoice\?from=ticket$", help_tab.url)
        expect(help_tab.get_by_role("heading", name="How to pay an invoice")).to_be_visible()
        help_tab.close()
        with portal_session(portal) as session:  # the open is recorded: a deflection unless a request follows
            user_id = session.exec(select(User.id).where(User.email == customer)).one()
            assert session.exec(select(ArticleSuggestionOpen).where(ArticleSuggestionOpen.user_id == user_id)).all()

        # Not answered after all: the request goes out with what was typed before.
        expect(page.get_by_label("Subject")).to_have_value("cannot pay the invocie")
        page.get_by_label("Description").fill("The Pay now button is greyed out.")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name=re.compile(r"T-\d+ · cannot pay the invocie"))).to_be_visible()
    finally:
        context.close()
