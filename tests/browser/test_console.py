"""The agent console's canned replies and merging in real Chromium, at
desktop and phone widths: a staff admin adds a canned reply (a title already
taken is refused next to its field) and deletes another behind a
confirmation; on a customer's request they insert it into the reply box
with its placeholders filled (an unknown one flagged) and send it; then
they merge the request into the customer's other one, confirm, and the
duplicate's page says where it went, live on the customer's open page too.
axe finds nothing critical or serious; no console errors."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from portal_app import routes
from portal_app.services import tickets
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_live import LIVE_MS, _mark_loaded, _not_reloaded


def _two_requests(portal, email: str) -> tuple[int, int]:
    """The customer's original request and, later, its duplicate."""
    with portal_session(portal) as session:
        _, customer = factories.sign_in(session, email)
        category = tickets.categories(session)[0].id
        numbers = [tickets.do_raise(session, customer, customer.current.org_id, category=category, subject=subject,
                                    body=body).number
                   for subject, body in (("Invoices will not download", "The button spins forever."),
                                         ("Invoice download broken", "Same thing again, sorry."))]
        session.commit()
        return numbers[0], numbers[1]


@pytest.mark.parametrize("width", [1280, 375])
def test_an_agent_inserts_a_canned_reply_and_merges_a_duplicate(portal, browser, width):
    customer = unique_email("mergecustomer")
    create_person(portal, customer, company="Merge Co", name="Cara Merge")
    original, duplicate = _two_requests(portal, customer)
    title = f"Looking into it {uuid.uuid4().hex[:6]}"
    agent_ctx = browser.new_context(viewport={"width": width, "height": 800})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        agent = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(portal.url + routes.CANNED_REPLIES)
        expect(agent.get_by_role("heading", name="Canned replies", exact=True)).to_be_visible()
        form = agent.get_by_role("form", name="Canned reply")
        for name, text in ((title, "Hi {{customer.first_name}}, about {{ticket.number}}: we are on it. "
                                   "{{customer.phone}}"), (title + " (old)", "Obsolete.")):
            form.get_by_label("Title").fill(name)
            form.get_by_label("Text").fill(text)
            form.get_by_role("button", name="Add canned reply").click()
            expect(agent.get_by_text(f"Canned reply \u201c{name}\u201d added.")).to_be_visible()
        # A title already taken is refused next to its field, and what was typed stays.
        form.get_by_label("Title").fill(title.upper())
        form.get_by_label("Text").fill("Again")
        form.get_by_role("button", name="Add canned reply").click()
        expect(form.get_by_text("Another canned reply has this title: choose another.")).to_be_visible()
        expect(form.get_by_label("Text")).to_have_value("Again")
        agent.get_by_role("button", name=f"Delete {title} (old)").click()
        agent.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(agent.get_by_text(f"Canned reply \u201c{title} (old)\u201d deleted.")).to_be_visible()
        assert axe_violations(agent) == []

        # The customer watches the duplicate.
        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.ticket_path(duplicate))
        expect(page.get_by_role("heading", name=re.compile("Invoice download broken"))).to_be_visible()
        _mark_loaded(page)

        # The agent inserts the canned reply, filled in for this request, and sends it.
        agent.goto(portal.url + routes.ticket_path(duplicate))
        expect(agent.get_by_role("heading", name=re.compile("Invoice download broken"))).to_be_visible()
        expect(agent.get_by_label("Canned reply", exact=True).locator("option", has_text=title)).to_have_count(1)
        # One added meanwhile (here from another tab) joins the open page's menu without a reload.
        fresh = f"Fresh answer {uuid.uuid4().hex[:6]}"
        admin_tab = agent_ctx.new_page()
        admin_tab.goto(portal.url + routes.CANNED_REPLIES)
        admin_form = admin_tab.get_by_role("form", name="Canned reply")
        admin_form.get_by_label("Title").fill(fresh)
        admin_form.get_by_label("Text").fill("Thanks, we are looking.")
        admin_form.get_by_role("button", name="Add canned reply").click()
        expect(admin_tab.get_by_text(f"Canned reply \u201c{fresh}\u201d added.")).to_be_visible()
        admin_tab.close()
        expect(agent.get_by_label("Canned reply", exact=True).locator("option", has_text=fresh)).to_have_count(
            1, timeout=LIVE_MS)
        agent.get_by_label("Find a canned reply").fill(title[-6:].lower())  # narrows the menu to it
        expect(agent.get_by_label("Canned reply", exact=True).locator("option")).to_have_count(2)
        agent.get_by_label("Canned reply", exact=True).select_option(label=title)
        agent.get_by_role("button", name="Insert").click()
        expect(agent.get_by_label("Your reply")).to_have_value(
            f"Hi Cara, about T-{duplicate}: we are on it. {{{{customer.phone}}}}")
        expect(agent.get_by_text(re.compile(r"^Not filled in, edit by hand before sending: \{\{customer\.phone\}\}"))
               ).to_be_visible()
        agent.get_by_label("Your reply").fill(f"Hi Cara, about T-{duplicate}: we are on it.")
        agent.get_by_role("button", name="Send reply").click()
        expect(agent.get_by_text("Reply sent.")).to_be_visible()

        # Merge into the original: the confirmation names both.
        agent.get_by_role("button", name="Merge into\u2026").click()
        dialog = agent.get_by_role("dialog", name="Merge this request into another")
        dialog.get_by_label("Merge into request number").fill(str(duplicate))
        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text("A request cannot be merged into itself.")).to_be_visible()
        dialog.get_by_label("Merge into request number").fill(f"T-{original}")
        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text(re.compile(f"^Merge T-{duplicate} .* into T-{original} "))).to_be_visible()
        assert axe_violations(agent) == []
        dialog.get_by_role("button", name="Merge", exact=True).click()
        expect(agent.get_by_text(f"T-{duplicate} merged into T-{original}.")).to_be_visible()
        expect(dialog).to_have_count(0)
        notice = agent.get_by_role("status").filter(has_text="Merged into")
        expect(notice).to_be_visible()
        expect(agent.get_by_role("button", name="Send reply")).to_have_count(0)

        # The customer's open page says so too, without a reload; the link leads to the conversation.
        expect(page.get_by_role("link", name=f"T-{original}")).to_be_visible(timeout=LIVE_MS)
        _not_reloaded(page)
        page.get_by_role("link", name=f"T-{original}").click()
        conversation = page.get_by_role("list", name="Conversation")
        expect(conversation.get_by_text("Same thing again, sorry.")).to_be_visible()
        expect(conversation.get_by_text(f"T-{duplicate} was merged into this request")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        agent_ctx.close()
        customer_ctx.close()
