"""Invoices in real Chromium, two people in two browsers: the staff write a
draft in the editor (a bad price refused next to its field, what was typed
kept), save and issue it; the customer's open billing page shows it
without a reload; the customer (desktop and phone) opens it, reads how to
pay by transfer with its reference; the staff record a part payment and the
customer's open invoice shows it live. Hostile text in a line shows as the
text it is. axe at each step."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from portal_app import routes
from portal_app.models import Invoice, Organization
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_live import LIVE_MS, _mark_loaded, _not_reloaded

HOSTILE = "Consultancy <img src=x onerror=alert(1)> **hours**"


def _org_id(portal, company: str) -> int:
    with portal_session(portal) as session:
        return session.exec(select(Organization.id).where(Organization.name == company)).one()


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_issue_an_invoice_and_the_customer_follows_it_live(portal, browser, width):
    customer = unique_email("invoicecustomer")
    company = f"Invoice Co {width}"
    create_person(portal, customer, company=company, name="Ivy Invoice")
    org_id = _org_id(portal, company)
    customer_ctx = browser.new_context(viewport={"width": width, "height": 800})
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.BILLING)
        expect(page.get_by_role("heading", name="No invoices yet")).to_be_visible()
        assert axe_violations(page) == []
        _mark_loaded(page)

        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_INVOICES)
        staff.get_by_role("link", name="New invoice").click()
        expect(staff.get_by_role("heading", name="New invoice")).to_be_visible()
        staff.get_by_label("Find an organisation").fill(company)  # the list shows the first 50 otherwise
        expect(staff.get_by_label("Organisation", exact=True).locator("option")).to_have_count(2)  # and "Choose…"
        staff.get_by_label("Organisation", exact=True).select_option(str(org_id))
        line1 = staff.get_by_role("group", name="Line 1")
        line1.get_by_label("Description").fill("Support plan, November")
        line1.get_by_label("Unit price").fill("120")
        line1.get_by_label("Tax %").fill("20")
        line2 = staff.get_by_role("group", name="Line 2")
        line2.get_by_label("Description").fill(HOSTILE)
        line2.get_by_label("Quantity").fill("2.5")
        line2.get_by_label("Unit price").fill("80.001")
        line2.get_by_label("Tax %").fill("20")
        staff.get_by_role("button", name="Save draft").click()
        expect(line2.get_by_text("Line 2: unit price can have at most 2 digits after the point in GBP."))\
            .to_be_visible()
        expect(line2.get_by_label("Description")).to_have_value(HOSTILE)
        assert axe_violations(staff) == []
        line2.get_by_label("Unit price").fill("80")
        line2.get_by_label("Discount %").fill("10")
        staff.get_by_role("button", name="Save draft").click()
        expect(staff.get_by_role("heading", name="Draft invoice")).to_be_visible()
        expect(staff.get_by_text("£360.00")).to_be_visible()
        with portal_session(portal) as session:
            draft = session.exec(select(Invoice).where(Invoice.org_id == org_id)).one()
        assert (draft.status, draft.total) == ("draft", 36000)
        expect(page.get_by_role("heading", name="No invoices yet")).to_be_visible()  # a draft is not theirs to see

        staff.get_by_role("button", name="Issue invoice").click()
        staff.get_by_role("alertdialog").get_by_role("button", name="Issue").click()
        number = re.compile(r"^Invoice INV-\d{4}-\d{4}$")
        expect(staff.get_by_role("heading", name=number)).to_be_visible()
        label = staff.get_by_role("heading", name=number).inner_text().removeprefix("Invoice ")

        # The customer's open billing page shows it without a reload.
        expect(page.get_by_role("link", name=label)).to_be_visible(timeout=LIVE_MS)
        expect(page.get_by_role("group", name="What you owe").get_by_text("£360.00")).to_be_visible()
        _not_reloaded(page)
        page.get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", name=f"Invoice {label}")).to_be_visible()
        expect(page.get_by_role("note").get_by_text(label)).to_be_visible()  # the transfer's reference
        expect(page.get_by_role("rowheader", name=HOSTILE)).to_be_visible()  # as text, never markup
        expect(page.get_by_text("Open", exact=True)).to_be_visible()
        assert axe_violations(page) == []
        _mark_loaded(page)

        # The staff record a part payment: the customer's open invoice shows it live.
        staff.get_by_label("Amount (GBP)", exact=True).fill("100")
        staff.get_by_label("Reference").first.fill("Transfer 42")
        staff.get_by_role("button", name="Record payment").click()
        expect(staff.get_by_text("Payment recorded.")).to_be_visible()
        expect(page.get_by_text("Partially paid", exact=True)).to_be_visible(timeout=LIVE_MS)
        expect(page.get_by_role("cell", name="Transfer 42")).to_be_visible()
        expect(page.get_by_label("Totals").get_by_text("£260.00")).to_be_visible()
        _not_reloaded(page)
        assert axe_violations(page) == []

        # The PDF and the statement download, and read back as what the page says.
        with page.expect_download() as download:
            page.get_by_role("link", name="Download PDF").click()
        text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
        assert label in text and "£360.00" in text and "£260.00" in text and "Reference: " + label in text
        assert download.value.suggested_filename == f"{label}.pdf"
        page.get_by_role("link", name="Billing").first.click()
        page.get_by_role("link", name="Statement of account").click()
        expect(page.get_by_role("heading", name="Statement of account")).to_be_visible()
        assert axe_violations(page) == []
        expect(page.get_by_role("region", name="Statement").get_by_role("link", name=label)).to_have_count(2)  # issued, paid
        with page.expect_download() as download:
            page.get_by_role("link", name="Download spreadsheet (CSV)").click()
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        assert any(label in row for row in rows) and any("Transfer 42" in " ".join(row) for row in rows)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download PDF").click()
        assert label in "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)

        # The dashboard says what is owed.
        page.goto(portal.url + routes.DASHBOARD)
        card = page.get_by_role("heading", name="Billing").locator("xpath=..")
        expect(card.get_by_text("£260.00")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        customer_ctx.close()
        staff_ctx.close()
