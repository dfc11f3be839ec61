"""Satisfaction ratings in real Chromium, two people in two browsers: a
customer (desktop and phone) rates their solved request 1-5 with a comment
(a too-long comment is refused next to its field, keeping what was typed;
HTML shows as the text it is); the agent's open page of the request shows
the rating live, the console's row carries it, and the support report
counts it and lists the comment. axe at each step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import User
from portal_app.services import tickets
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from portal_app.services.principal import principal_for_user
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_live import LIVE_MS, _mark_loaded, _not_reloaded

HOSTILE = "<img src=x onerror=alert(1)> **thanks**"
SHOWN = re.compile("^" + re.escape(f"Clear answer. {HOSTILE}") + "$")


def _solved_request(portal, email: str, subject: str) -> int:
    """A request of the customer's that the demo agent answered and resolved."""
    with portal_session(portal) as session:
        _, customer = factories.sign_in(session, email)
        category = tickets.categories(session)[0].id
        ticket = tickets.do_raise(session, customer, customer.current.org_id, category=category, subject=subject,
                                  body="How do I add a colleague?")
        agent = principal_for_user(session, session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).one(),
                                   None)
        tickets.do_reply(session, agent, ticket.number, body="Organisation → Invite: they get an email.")
        tickets.do_set_status(session, agent, ticket.number, "resolved")
        session.commit()
        return ticket.number


@pytest.mark.parametrize("width", [1280, 375])
def test_the_customer_rates_a_solved_request_and_the_agent_sees_it(portal, browser, width):
    customer = unique_email("ratingcustomer")
    create_person(portal, customer, company="Rating Co", name="Rita Rater")
    subject = f"Adding a colleague ({width})"
    number = _solved_request(portal, customer, subject)
    customer_ctx = browser.new_context(viewport={"width": width, "height": 800})
    agent_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        agent = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(portal.url + routes.ticket_path(number))
        expect(agent.get_by_role("heading", name=re.compile(f"^T-{number} · "))).to_be_visible()
        expect(agent.get_by_role("region", name="Satisfaction rating")).to_have_count(0)  # not rated yet
        _mark_loaded(agent)

        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.ticket_path(number))
        panel = page.get_by_role("region", name="Satisfaction rating")
        expect(panel.get_by_role("heading", name="Satisfaction rating")).to_be_visible()
        assert axe_violations(page) == []
        # Nothing chosen: the browser asks for a rating first; nothing is sent.
        panel.get_by_role("button", name="Send rating").click()
        expect(panel.get_by_text(re.compile("^Rated "))).to_have_count(0)
        panel.get_by_role("radio", name="4 · Satisfied").check()
        # A comment over the limit (the field's maxlength taken off, as a hostile page could): refused next to
        # the field, and what was typed stays.
        comment = panel.get_by_label("Comment (optional)")
        comment.evaluate("box => box.removeAttribute('maxlength')")
        comment.fill("x" * 2001)
        panel.get_by_role("button", name="Send rating").click()
        expect(panel.get_by_text("The comment must be at most 2,000 characters (it has 2,001).")).to_be_visible()
        expect(comment).to_have_value("x" * 2001)
        expect(panel.get_by_role("radio", name="4 · Satisfied")).to_be_checked()
        comment.fill(f"Clear answer. {HOSTILE}")
        panel.get_by_role("button", name="Send rating").click()
        expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
        expect(panel.get_by_text("Rated 4 of 5")).to_be_visible()
        expect(panel.locator("p").filter(has_text=SHOWN)).to_be_visible()  # as the text it is
        expect(panel.locator("img")).to_have_count(0)
        expect(panel.get_by_role("button", name="Change rating")).to_be_visible()  # the raiser may change it
        assert axe_violations(page) == []

        # The agent's open page shows it live; the console's row and the report carry it.
        agent_panel = agent.get_by_role("region", name="Satisfaction rating")
        expect(agent_panel.get_by_text("Rated 4 of 5")).to_be_visible(timeout=LIVE_MS)
        expect(agent_panel.get_by_text(f"Clear answer. {HOSTILE}", exact=True)).to_be_visible()
        expect(agent_panel.get_by_text(re.compile("^By Rita Rater on "))).to_be_visible()
        expect(agent_panel.get_by_role("button", name=re.compile("rating$"))).to_have_count(0)  # staff never rate
        _not_reloaded(agent)
        assert axe_violations(agent) == []

        agent.goto(portal.url + routes.TICKETS)
        agent.get_by_role("button", name="Everything").click()
        row = agent.get_by_role("list", name="Requests").get_by_role("listitem").filter(has_text=subject)
        expect(row.get_by_text("Rated 4 of 5")).to_be_visible()

        agent.goto(portal.url + routes.SUPPORT_REPORT)
        expect(agent.get_by_role("heading", name="Support report", level=1)).to_be_visible()
        agent.get_by_label("Period").select_option("7")
        comments = agent.get_by_role("list", name="Latest comments")
        item = comments.get_by_role("listitem").filter(has_text=subject)
        expect(item.get_by_role("link", name=re.compile(f"^T-{number} · "))).to_be_visible()
        expect(item.get_by_text(f"Clear answer. {HOSTILE}", exact=True)).to_be_visible()
        expect(item.get_by_text("Rated 4 of 5")).to_be_visible()
        agent.set_viewport_size({"width": width, "height": 800})
        assert axe_violations(agent) == []
    finally:
        customer_ctx.close()
        agent_ctx.close()
