"""@mentions in real Chromium, on a desktop and a phone: an agent's reply
names a member who could not see the request ("@Mia Mention"); the reply
box says how; the member hears it through the bell and the notification
centre, and its link opens the request, which she now follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal_app import routes
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_NAME
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_notifications import _member_of, _unread
from tests.services.test_tickets import _raise


@pytest.mark.parametrize("width", [1280, 375])
def test_an_agent_s_mention_reaches_the_member_through_the_bell(portal, browser, width):
    owner, member = unique_email("mentionowner"), unique_email("mentionmember")
    create_person(portal, owner, company="Mention Works", name="Olive Owner")
    create_person(portal, member, company="Own Co", name="Mia Mention")
    _member_of(portal, owner, member)
    with portal_session(portal) as session:
        number = _raise(session, factories.sign_in(session, owner)[1], subject="The label printer jams").number
        session.commit()
    label = f"T-{number}"
    viewport = {"width": width, "height": 800}

    agent_ctx = browser.new_context(viewport=viewport)
    try:
        agent = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(portal.url + routes.ticket_path(number))
        expect(agent.get_by_role("heading", name=re.compile(f"^{label} · "))).to_be_visible()
        reply = agent.get_by_label("Your reply")
        expect(reply).to_have_accessible_description(re.compile(r"Type @ and a name to notify someone\.$"))
        reply.fill("@Mia Mention, could you read us the **serial number**? <b>thanks</b>")
        agent.get_by_role("button", name="Send reply").click()
        expect(agent.get_by_text("Reply sent.")).to_be_visible()
        conversation = agent.get_by_role("list", name="Conversation")
        expect(conversation.get_by_text("@Mia Mention, could you read us the")).to_be_visible()
        expect(conversation.get_by_text("<b>thanks</b>")).to_be_visible()  # HTML shown as the text it is
        agent.mouse.move(0, 0)
        assert axe_violations(agent) == []
        assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        agent_ctx.close()

    ctx = browser.new_context(viewport=viewport)
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, member)
        unread = _unread(portal, member)
        bell = page.get_by_role("link", name=f"Notifications, {unread} unread")
        expect(bell).to_be_visible()
        bell.click()
        expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
        told = page.get_by_role("link", name=f"{DEMO_STAFF_NAME} mentioned you on {label}: The label printer jams")
        expect(told).to_be_visible()
        assert axe_violations(page) == []
        told.click()
        expect(page.get_by_role("heading", name=re.compile(f"^{label} · The label printer jams"))).to_be_visible()
        expect(page.get_by_role("list", name="Conversation").get_by_text("@Mia Mention, could you")).to_be_visible()
        expect(page.get_by_role("button", name="Stop following")).to_be_visible()  # she follows it now
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        ctx.close()
