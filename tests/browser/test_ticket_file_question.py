"""A file question of an intake form in real Chromium: a customer on a phone
chooses a category whose form asks for a screenshot; a program renamed .png
is refused next to the question, a real image uploads at once and shows by
name with a button to remove it; the request shows the answer as the file's
name, a link to its download, and the agent (desktop) opens that link and
gets the very bytes; the admin's page lists it as a file question and
previews it. The form and the ticket page are checked with axe at 1280 and
375 px; the page fixtures fail the test on any console error."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from portal_app import routes
from portal_app.services import ticket_forms
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.test_ticket_forms import _fits
from tests.browser.test_tickets import PNG

QUESTION = "Screenshot"


def _category_asking_for_a_file(portal) -> str:
    """A category of its own (other tests' forms stay as they are) with an optional file question."""
    name = f"Display problem {uuid.uuid4().hex[:6]}"
    with portal_session(portal) as session:
        admin = factories.staff_admin(session, email=unique_email("formsadmin"), name="Forms Admin")
        category = ticket_forms.do_add_category(session, admin, name=name, allows_priority=False)
        ticket_forms.do_add_question(session, admin, category.id, label=QUESTION, kind="file",
                                     help_text="A picture of what you see")
        session.commit()
    return name


def test_a_customer_answers_a_file_question_and_the_agent_opens_it(portal, browser, page_errors):
    page_errors.allow(r"Failed to load resource: .* 422 .*filename=screen\.png")  # the disguised one, refused
    category = _category_asking_for_a_file(portal)
    customer = unique_email("filecustomer")
    create_person(portal, customer, company="File Co", name="Fay Customer")
    customer_ctx = browser.new_context(viewport={"width": 375, "height": 800})
    agent_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.NEW_TICKET)
        page.get_by_label("What is it about?").select_option(label=category)
        field = page.get_by_label(f"{QUESTION} (optional)")
        expect(field).to_be_visible()
        expect(page.get_by_text("A picture of what you see")).to_be_visible()
        page.get_by_label("Subject").fill("The dashboard is blank")
        page.get_by_label("Description").fill("Since this morning.")
        field.set_input_files({"name": "screen.png", "mimeType": "image/png",
                               "buffer": b"MZ\x90\x00 a program renamed .png"})
        expect(page.get_by_role("alert")).to_contain_text("must be an image")
        field.set_input_files({"name": "screen.png", "mimeType": "image/png", "buffer": PNG})
        remove = page.get_by_role("button", name="Remove screen.png")
        expect(remove).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)
        expect(field).to_be_enabled()  # no longer busy
        _fits(page)
        page.set_viewport_size({"width": 375, "height": 800})
        remove.focus()
        page.keyboard.press("Enter")  # the keyboard removes it ...
        expect(remove).to_have_count(0)
        field.set_input_files({"name": "screen.png", "mimeType": "image/png", "buffer": PNG})  # ... and it comes back
        expect(remove).to_be_visible()
        page.get_by_role("button", name="Send request").click()

        expect(page.get_by_role("heading", name=re.compile(r"^T-\d+ · The dashboard is blank$"))).to_be_visible()
        ticket_url = page.url
        details = page.locator("dl")
        expect(details.get_by_text(QUESTION, exact=True)).to_be_visible()
        link = page.get_by_role("definition").get_by_role("link", name="screen.png")
        expect(link).to_have_attribute("href", re.compile(r"^/api/files/\d+$"))
        _fits(page)

        # The agent opens the request and the file.
        agent: Page = agent_ctx.new_page()
        sign_in(agent, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        agent.goto(ticket_url)
        file_link = agent.get_by_role("definition").get_by_role("link", name="screen.png")
        expect(file_link).to_be_visible()
        with agent.expect_download() as download:
            file_link.click()
        assert download.value.suggested_filename == "screen.png"
        with open(download.value.path(), "rb") as got:
            assert got.read() == PNG
        agent.mouse.move(0, 0)  # a hovered link takes its lighter hover colour, every link of the portal alike
        _fits(agent)

        # The admin's page lists it as a file question; its preview shows the input, disabled.
        agent.goto(portal.url + routes.TICKET_FORMS)
        agent.get_by_role("button", name=f"Edit {category}").click()
        expect(agent.get_by_role("list", name="Questions")).to_contain_text("File upload")
        preview = agent.get_by_role("region", name="Preview of the customer's form")
        expect(preview.get_by_label(f"{QUESTION} (optional)")).to_be_disabled()
        expect(agent.get_by_label("Kind of answer").locator("option", has_text="File upload")).to_have_count(1)
    finally:
        customer_ctx.close()
        agent_ctx.close()
