"""Support categories and forms in real Chromium: a staff admin (desktop)
adds a category and a required choice question to it (a duplicate answer is
refused next to its field first) and sees it in the preview; a customer on
a phone then has to answer it on /tickets/new, and the request shows the
answer. The admin removes the question and archives the category (each
after a confirmation): the customer is no longer offered the category, and
the request still shows its answer. Markup typed by the admin shows as
text. The admin page is checked with axe at
1280 and 375 px; the page fixtures fail the test on any console error."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from portal_app import routes
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, sign_in, unique_email
from tests.browser.axe import axe_violations

QUESTION = "Which warranty plan?"
HOSTILE = "<img src=x onerror=alert(1)> broke early"


def _fits(page: Page) -> None:
    """No axe violation and nothing scrolling sideways, at 1280 and 375 px."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_admin_adds_a_required_choice_and_the_customer_answers_it(portal, browser):
    category = f"Warranty claim {uuid.uuid4().hex[:6]}"
    customer = unique_email("formcustomer")
    create_person(portal, customer, company="Forms Co", name="Fern Customer")
    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    customer_ctx = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        admin = admin_ctx.new_page()
        sign_in(admin, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        admin.goto(portal.url + routes.TICKET_FORMS)
        expect(admin.get_by_role("list", name="Categories").get_by_role("listitem").first).to_be_visible()
        add = admin.get_by_role("form", name="Add a category")
        add.get_by_label("Name").fill(category)
        add.get_by_label("Description").fill(HOSTILE)
        add.get_by_role("button", name="Add category").click()
        expect(admin.get_by_text(f"Category \u201c{category}\u201d added")).to_be_visible()
        expect(admin.get_by_role("heading", name=f"Category \u201c{category}\u201d")).to_be_visible()

        form = admin.get_by_role("form", name="Add or edit a question")
        form.get_by_label("Kind of answer").select_option(label="Choice from a list")
        form.get_by_label("Question", exact=True).fill(QUESTION)
        form.get_by_label("Answers to choose from").fill("Basic\nPlus\nplus")
        form.get_by_role("checkbox", name=re.compile("^Required")).click()
        form.get_by_role("button", name="Add question").click()
        expect(form.get_by_role("alert")).to_have_text("\u201cplus\u201d is listed twice: each answer once.")
        expect(form.get_by_label("Question", exact=True)).to_have_value(QUESTION)  # what was typed stays
        form.get_by_label("Answers to choose from").fill("Basic\nPlus")
        form.get_by_role("button", name="Add question").click()
        expect(admin.get_by_text(f"Question \u201c{QUESTION}\u201d added.")).to_be_visible()
        preview = admin.get_by_role("region", name="Preview of the customer's form")
        expect(preview.get_by_label(QUESTION, exact=True)).to_be_disabled()
        _fits(admin)

        # The customer, on a phone, must answer it.
        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.NEW_TICKET)
        page.get_by_label("What is it about?").select_option(label=category)
        expect(page.get_by_label(QUESTION, exact=True)).to_be_visible()  # no "(optional)": it is required
        expect(page.get_by_text(HOSTILE)).to_be_visible()  # the category's description, as the text it is
        assert page.locator("img[src=x]").count() == 0
        page.get_by_label("Subject").fill("The kettle stopped")
        page.get_by_label("Description").fill("It was bought in March.")
        page.get_by_label(QUESTION, exact=True).select_option("Plus")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name=re.compile(r"^T-\d+ · The kettle stopped$"))).to_be_visible()
        ticket_url = page.url
        expect(page.get_by_role("definition").filter(has_text="Plus")).to_have_count(1)
        assert axe_violations(page) == []

        # The admin removes the question and archives the category, each after a confirmation.
        admin.get_by_role("button", name=f"Remove question {QUESTION}").click()
        admin.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
        expect(admin.get_by_text("the requests that answered it keep their answers")).to_be_visible()
        expect(admin.get_by_role("list", name="Removed questions")).to_contain_text(QUESTION)
        admin.get_by_role("button", name=f"Archive {category}").click()
        admin.get_by_role("alertdialog").get_by_role("button", name="Archive").click()
        expect(admin.get_by_text("Category archived")).to_be_visible()
        expect(admin.get_by_role("button", name=f"Restore {category}")).to_be_visible()

        page.goto(portal.url + routes.NEW_TICKET)
        expect(page.get_by_label("What is it about?").locator("option", has_text="Something is not working")
               ).to_have_count(1)
        expect(page.get_by_label("What is it about?").locator("option", has_text=category)).to_have_count(0)
        page.goto(ticket_url)
        expect(page.get_by_role("definition").filter(has_text="Plus")).to_have_count(1)
        expect(page.get_by_text(QUESTION)).to_be_visible()
    finally:
        admin_ctx.close()
        customer_ctx.close()
