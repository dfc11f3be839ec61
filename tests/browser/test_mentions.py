"""@mentions in real Chromium, on a desktop and a phone: an agent's reply
names a member who could not see the request ("@Mia Mention"); the reply
box says how; the member hears it through the bell and the notification
centre, and its link opens the request, which she now follows. And a
customer named in an internal note, her ticket page and
notification centre open over the websocket, is sent nothing of it."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Notification, OutgoingMail, Ticket, TicketMessage, User
from portal_app.services import sessions
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_NAME
from portal_app.state.notifications import NotificationsState
from portal_app.state.tickets import TicketState
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_hostile_tickets import _route
from tests.browser.test_notifications import _member_of, _unread
from tests.services.test_tickets import _raise
from tests.ws_client import ReflexClient, handler_name


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


def test_a_customer_named_in_an_internal_note_hears_nothing_of_it_over_the_websocket(portal):
    """Her ticket page open (Reflex's websocket spoken directly): an agent's
    note naming her sends her nothing; the agent's next public reply does
    arrive, live, so the silence before it is not a dead socket."""
    owner = unique_email("notedowner")
    create_person(portal, owner, company="Noted Co", name="Nora Noted")
    with portal_session(portal) as session:
        raw, principal = factories.sign_in(session, owner)
        number = _raise(session, principal, subject="Quiet please").number
        staff_raw, _ = factories.sign_in(session, DEMO_STAFF_EMAIL, password=DEMO_PASSWORD)
    route = _route(number)
    as_her, as_agent = f"{sessions.COOKIE_BASE_NAME}={raw}", f"{sessions.COOKIE_BASE_NAME}={staff_raw}"
    with (ReflexClient(portal.url, cookie=as_her) as ticket_tab, ReflexClient(portal.url, cookie=as_her) as centre_tab,
          ReflexClient(portal.url, cookie=as_agent) as agent):
        ticket_tab.hydrate(route)
        ticket_tab.call(handler_name(TicketState, "load"), {})
        centre_tab.hydrate(routes.NOTIFICATIONS)
        centre_tab.call(handler_name(NotificationsState, "load"), {})
        agent.hydrate(route)
        agent.call(handler_name(TicketState, "load"), {})
        agent.call(handler_name(TicketState, "reply"),
                   {"form": {"body": f"@Nora Noted @{owner}: NOTE-SECRET she may churn", "internal": "on"}})
        agent.call(handler_name(TicketState, "reply"), {"form": {"body": "All fixed on our side."}})
        ticket_tab.wait_for(lambda state: "All fixed on our side." in json.dumps(state), timeout=10)
        centre_tab.wait_for(lambda state: f"{DEMO_STAFF_NAME} replied to" in json.dumps(state), timeout=10)
        heard = "".join(json.dumps([tab.received, tab.state()]) for tab in (ticket_tab, centre_tab))
    assert "NOTE-SECRET" not in heard
    assert "mentioned you" not in heard
    with portal_session(portal) as session:
        user_id = session.exec(select(User.id).where(User.email == owner)).one()
        told = session.exec(select(Notification.event).where(Notification.user_id == user_id)).all()
        mails = session.exec(select(OutgoingMail.subject).where(OutgoingMail.to_address == owner)).all()
        notes = session.exec(select(TicketMessage.body).join(Ticket, Ticket.id == TicketMessage.ticket_id)
                             .where(Ticket.number == number, TicketMessage.internal)).all()
    assert "ticket_mention" not in told and "ticket_reply" in told
    assert not any("mentioned" in subject for subject in mails)
    assert notes == [f"@Nora Noted @{owner}: NOTE-SECRET she may churn"]  # the note was written
