"""Support requests in real Chromium, two people in two browsers: the
issue's journey. A customer (on a desktop and on a phone) searches the help
centre, goes on to raise a request, opens an article the form suggests
while the subject is typed, then sends the request with intake-form answers,
a priority, Markdown and an attachment (a disguised file refused); an agent
(desktop) finds it in the console, writes an internal note and a reply; the
customer's open page shows the reply within 2 seconds without a reload, and
never the note; the customer closes and rates the request, and the agent's
open page shows both live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal_app import routes
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_live import LIVE_MS, _mark_loaded, _not_reloaded

HOSTILE = "<script>alert('owned')</script>"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_support_journey_from_the_help_centre_to_a_rated_request(portal, browser, width, page_errors):
    page_errors.allow(r"Failed to load resource: .* 422 .*filename=invoice\.pdf")  # refused on purpose
    customer = unique_email("ticketcustomer")
    create_person(portal, customer, company="Ticket Co", name="Cara Customer")
    customer_ctx = browser.new_context(viewport={"width": width, "height": 800})
    agent_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.TICKETS)
        expect(page.get_by_role("heading", name="No requests yet")).to_be_visible()
        assert axe_violations(page) == []

        # The help centre first (the empty list offers it): a search whose answers do not help, then a person.
        page.get_by_role("link", name="Or find an answer in the help centre").click()
        page.get_by_label("Search the help centre").fill("export reports")
        page.get_by_label("Search the help centre").press("Enter")
        expect(page.get_by_role("heading", name="Results for \u201cexport reports\u201d")).to_be_visible()
        page.get_by_role("link", name="Raise a support request").click()

        # The form: a category that takes a priority shows the priority.
        expect(page.get_by_role("heading", name="Raise a request")).to_be_visible()
        page.get_by_label("What is it about?").select_option(label="Something is not working")
        expect(page.get_by_text("An error, an outage, something broken")).to_be_visible()
        expect(page.get_by_label("Root cause")).to_have_count(0)  # the agents' own question is not asked
        page.get_by_role("button", name="Send request").click()  # nothing typed yet: the browser says so
        expect(page.get_by_role("heading", name="Raise a request")).to_be_visible()
        # While the subject is typed, the help centre suggests; one opens in a new tab and the form keeps all.
        page.get_by_label("Subject").press_sequentially("The invoice export does nothing", delay=10)
        suggestion = page.locator("#ticket-suggestions").get_by_role("link", name="Downloading invoices as PDF")
        expect(suggestion).to_be_visible()
        with customer_ctx.expect_page() as opened:
            suggestion.click()
        expect(opened.value.get_by_role("heading", name="Downloading invoices as PDF", level=1)).to_be_visible()
        opened.value.close()
        page.get_by_label("Subject").fill("The export button does nothing")
        page.get_by_label("Where does it happen?").select_option("The web app")
        page.get_by_label("How many people are affected? (optional)").fill("12")
        page.get_by_label("Priority").select_option("high")
        page.get_by_label("Description").fill(f"Steps:\n\n1. Open reports\n2. Click **Export**\n\n{HOSTILE}")
        # Attachments upload as soon as they are chosen; a program dressed as a PDF is refused.
        page.get_by_label("Attach files").set_input_files([
            {"name": "screenshot.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "steps.txt", "mimeType": "text/plain", "buffer": b"1. open\n2. export\n"},
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}])
        attached = page.get_by_role("list", name="Attached files").get_by_role("listitem")
        expect(attached).to_have_count(2)
        expect(page.get_by_text(re.compile(r"^invoice\.pdf: "))).to_be_visible()
        page.get_by_role("button", name="Remove steps.txt").click()
        expect(attached).to_have_count(1)
        page.get_by_role("button", name="Send request").click()

        heading = page.get_by_role("heading", name=re.compile(r"^T-\d+ · The export button does nothing$"))
        expect(heading).to_be_visible()
        number = re.search(r"/tickets/(\d+)", page.url).group(1)
        expect(page.get_by_text(re.compile(r"^Request T-\d+ sent"))).to_be_visible()
        expect(page.get_by_text("Waiting for us", exact=True)).to_be_visible()
        expect(page.get_by_text(re.compile(r"^We aim to reply by \w{3} \d{1,2}:\d{2}"))).to_be_visible()  # the SLA
        details = page.get_by_role("definition")
        expect(details.filter(has_text="The web app")).to_have_count(1)
        expect(details.filter(has_text="12")).to_have_count(1)
        conversation = page.get_by_role("list", name="Conversation")
        expect(conversation.locator("strong", has_text="Export")).to_be_visible()  # Markdown rendered
        expect(conversation.get_by_text(HOSTILE)).to_be_visible()  # and HTML shown as the text it is
        download = conversation.get_by_role("link", name="screenshot.png")
        href = download.get_attribute("href")
        answer = page.request.get(portal.url + href)
        assert answer.status == 200 and answer.body() == PNG
        assert answer.headers["content-disposition"].startswith("attachment")
        expect(conversation.get_by_text("steps.txt")).to_have_count(0)  # removed before sending
        _mark_loaded(page)

        # The agent finds it in the list and answers on its page.
        agent = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(portal.url + routes.TICKETS)
        row = agent.get_by_role("list", name="Requests").get_by_role("listitem").filter(has_text=f"T-{number} · ")
        expect(row.get_by_text(re.compile(r"^Reply due "))).to_be_visible()
        agent.get_by_role("link", name=re.compile(f"^T-{number} · ")).click()
        expect(agent.get_by_role("heading", name=re.compile(f"^T-{number} · "))).to_be_visible()
        assert agent.request.get(portal.url + href).status == 200  # staff read what the customer sent
        agent.get_by_label("Your reply").fill("Customer is on the legacy plan: export is off there.")
        agent.get_by_role("checkbox", name=re.compile("^Internal note")).click()
        agent.get_by_role("button", name="Send reply").click()
        expect(agent.get_by_text("Internal note added.")).to_be_visible()
        expect(agent.get_by_label("Your reply")).to_have_value("")
        agent.get_by_label("Your reply").fill("Thanks, Cara: we turned exports on for your account. Try again?")
        agent.get_by_role("button", name="Send reply").click()
        expect(agent.get_by_text("Reply sent.")).to_be_visible()

        # The customer's open page: the reply and the new status, live; never the note.
        expect(conversation.get_by_text("we turned exports on")).to_be_visible(timeout=LIVE_MS)
        expect(page.get_by_text("Waiting for you", exact=True)).to_be_visible(timeout=LIVE_MS)
        expect(page.get_by_text("legacy plan")).to_have_count(0)
        expect(page.get_by_text("Internal note")).to_have_count(0)
        _not_reloaded(page)
        assert axe_violations(page) == []

        # The customer closes and rates it; the agent's open page follows both.
        _mark_loaded(agent)
        page.get_by_role("button", name="Close request").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Close request").click()
        expect(page.get_by_text("Request closed.")).to_be_visible()
        expect(page.get_by_role("button", name="Reopen")).to_be_visible()
        expect(agent.get_by_role("combobox", name="Status")).to_have_text("Closed", timeout=LIVE_MS)
        rating = page.get_by_role("region", name="Satisfaction rating")
        rating.get_by_role("radio", name="5 · Very satisfied").check()
        rating.get_by_label("Comment (optional)").fill("Fixed the same day.")
        rating.get_by_role("button", name="Send rating").click()
        expect(rating.get_by_text("Rated 5 of 5")).to_be_visible()
        agent_rating = agent.get_by_role("region", name="Satisfaction rating")
        expect(agent_rating.get_by_text("Rated 5 of 5")).to_be_visible(timeout=LIVE_MS)
        expect(agent_rating.get_by_text("Fixed the same day.", exact=True)).to_be_visible()
        _not_reloaded(agent)

        page.goto(portal.url + routes.TICKETS)
        expect(page.get_by_role("list", name="Requests").get_by_role("listitem")).to_have_count(1)
        expect(page.get_by_role("list", name="Requests").get_by_text("Closed")).to_be_visible()
    finally:
        customer_ctx.close()
        agent_ctx.close()


def test_another_organisation_s_request_is_not_found(portal, browser):
    owner, stranger = unique_email("ticketowner"), unique_email("ticketstranger")
    create_person(portal, owner, company="Owner Co", name="Otto Owner")
    create_person(portal, stranger, company="Stranger Co", name="Stan Stranger")
    mine, theirs = browser.new_context(), browser.new_context()
    try:
        page = mine.new_page()
        sign_in(page, portal.url, owner)
        page.goto(portal.url + routes.NEW_TICKET)
        page.get_by_label("What is it about?").select_option(label="Question")
        expect(page.get_by_label("Priority")).to_have_count(0)  # this category takes none
        page.get_by_label("Subject").fill("Private matter")
        page.get_by_label("Description").fill("Only for us.")
        page.get_by_label("Attach files").set_input_files([{"name": "private.txt", "mimeType": "text/plain",
                                                            "buffer": b"our secret\n"}])
        expect(page.get_by_role("list", name="Attached files").get_by_role("listitem")).to_have_count(1)
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name=re.compile("Private matter"))).to_be_visible()
        href = page.get_by_role("link", name="private.txt").get_attribute("href")
        path = "/" + page.url.split("/", 3)[3]

        other = theirs.new_page()
        sign_in(other, portal.url, stranger)
        other.goto(portal.url + path)
        expect(other.get_by_role("heading", name="Request not found")).to_be_visible()
        expect(other.get_by_text("Private matter")).to_have_count(0)
        assert other.request.get(portal.url + href).status == 404  # nor its files
        other.goto(portal.url + "/tickets/not-a-number")
        expect(other.get_by_role("heading", name="Request not found")).to_be_visible()
    finally:
        mine.close()
        theirs.close()


def _queue_count(page, words: str) -> int:
    button = page.get_by_role("group", name="Queues").get_by_role("button", name=re.compile(f"^{words}"))
    return int(re.search(r"(\d+)$", button.inner_text().strip()).group(1))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_agent_console_counts_live_and_takes_requests_in_bulk(portal, browser, width):
    customer = unique_email("consolecustomer")
    create_person(portal, customer, company=f"Console Co {width}", name="Connie Customer")
    agent_ctx = browser.new_context(viewport={"width": width, "height": 800})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        agent = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(portal.url + routes.TICKETS)
        agent.get_by_role("button", name=re.compile("^Unassigned")).click()
        expect(agent.get_by_role("button", name=re.compile("^Unassigned"))).to_have_attribute("aria-pressed", "true")
        unassigned, mine = _queue_count(agent, "Unassigned"), _queue_count(agent, "Mine")
        _mark_loaded(agent)

        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.NEW_TICKET)
        page.get_by_label("What is it about?").select_option(label="Question")
        page.get_by_label("Subject").fill(f"Console question {width}")
        page.get_by_label("Description").fill("Where do I find my invoices?")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name=re.compile(f"Console question {width}"))).to_be_visible()

        # The agent's open console counts it and lists it, live.
        row = agent.get_by_role("list", name="Requests").get_by_role("listitem").filter(
            has_text=f"Console question {width}")
        expect(row).to_have_count(1, timeout=LIVE_MS)
        assert _queue_count(agent, "Unassigned") == unassigned + 1
        _not_reloaded(agent)
        row.get_by_role("checkbox").click()
        agent.get_by_role("region", name="Bulk actions").get_by_role("button", name="Assign to me").click()
        expect(agent.get_by_text("1 request updated.")).to_be_visible()
        expect(row).to_have_count(0)  # no longer unassigned
        assert _queue_count(agent, "Mine") == mine + 1
        # Everything, narrowed by organisation and assignee: only this request.
        agent.get_by_role("button", name="Everything").click()
        agent.get_by_label("Organisation").fill(f"console co {width}")
        agent.get_by_label("Assignee").select_option(label="Sam Staff")
        agent.get_by_role("button", name="Apply").click()
        rows = agent.get_by_role("list", name="Requests").get_by_role("listitem")
        expect(rows).to_have_count(1)
        expect(rows.filter(has_text=f"Console question {width}")).to_have_count(1)
        agent.mouse.move(0, 0)  # no row hovered while axe measures colours
        assert axe_violations(agent) == []
    finally:
        agent_ctx.close()
        customer_ctx.close()
