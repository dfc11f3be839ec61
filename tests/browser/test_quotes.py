"""Quotes in real Chromium, at 1280 and 375 px: a customer opens a quote,
reads its terms (at the top, before the lines and the answers), accepts it
with a typed name, the box ticked and a drawn signature, and sees the
record and the order it made; declines another with a reason. Billing
staff write one in the editor (an error next to its field), send it behind
a confirmation and delete a draft. axe at each step; nothing scrolls
sideways; the browser fails the test on any console error."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Invoice, Organization
from portal_app.models.orders import Order
from portal_app.models.quotes import Quote
from portal_app.services import quotes
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations

TERMS = "Payment within 30 days. The router ships within five working days of acceptance."


def _two_quotes(portal, company: str) -> tuple[int, int]:
    with portal_session(portal) as session:
        org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
        staff = factories.staff_admin(session, email=unique_email("quostaff"), name="Quo Staff")
        until = (quotes.today() + timedelta(days=14)).isoformat()
        ids = []
        for title in ("Office network", "Extra training"):
            draft = quotes.do_create_draft(session, staff, org_id, title=title, terms=TERMS, valid_until=until,
                                           lines=[{"description": "Edge router", "quantity": "2",
                                                   "unit_price": "229.00", "tax_rate": "20"},
                                                  {"description": "Set-up, a long line to wrap on a phone " * 3,
                                                   "quantity": "3", "unit_price": "95", "tax_rate": "20"}])
            ids.append(quotes.do_send(session, staff, draft.id).id)
        session.commit()
        return ids[0], ids[1]


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_customer_reads_the_terms_accepts_one_quote_and_declines_another(portal, browser, width):
    customer = unique_email("quocustomer")
    company = f"Quotes Co {width}"
    create_person(portal, customer, company=company, name="Quinn Quotes")
    accept_id, decline_id = _two_quotes(portal, company)
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.QUOTES)
        expect(page.get_by_role("region", name="Quotes").get_by_role("row")).to_have_count(3)
        assert axe_violations(page) == []
        page.get_by_role("link", name=quotes.label(_quote(portal, accept_id))).click()

        # The terms come first: above the lines and the answers.
        terms = page.get_by_role("region", name="Terms")
        expect(terms.get_by_text(TERMS)).to_be_visible()
        accept_heading = page.get_by_role("heading", name="Accept this quote")
        terms_top = terms.bounding_box()["y"]
        assert terms_top < page.get_by_role("region", name="Lines").bounding_box()["y"]
        assert terms_top < accept_heading.bounding_box()["y"]
        assert axe_violations(page) == []
        _no_sideways_scroll(page)

        # Nothing accepted without the box ticked: the message is next to it, the typed name stays.
        page.get_by_label("Your full name").fill("Quinn Quotes")
        page.get_by_role("button", name="Accept quote").click()
        expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
        expect(page.get_by_label("Your full name")).to_have_value("Quinn Quotes")
        page.get_by_role("checkbox", name="I have read and accept the terms").click()
        pad = page.get_by_role("img", name="Signature pad: draw your signature with a mouse, finger or pen")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 80, box["y"] + 90, steps=5)
        page.mouse.move(box["x"] + 140, box["y"] + 30, steps=5)
        page.mouse.up()
        page.get_by_role("button", name="Accept quote").click()
        expect(page.get_by_text("Quote accepted")).to_be_visible()
        expect(page.get_by_text("Accepted by Quinn Quotes", exact=False)).to_be_visible()
        expect(page.get_by_role("heading", name="Accept this quote")).to_have_count(0)
        assert axe_violations(page) == []
        with portal_session(portal) as session:
            quote = session.get(Quote, accept_id)
            assert (quote.status, quote.accepted_name) == ("accepted", "Quinn Quotes")
            assert quote.signature_png and quote.signature_png.startswith(b"\x89PNG")
            assert session.get(Invoice, quote.invoice_id).total == quotes.current_version(session, quote).total
            order_id = session.exec(select(Order.id).where(Order.quote_id == accept_id)).one()
        # What was quoted to deliver is now an order to follow.
        expect(page.get_by_role("link", name="Follow the order")).to_have_attribute("href", routes.order_path(order_id))

        # Declining the other: a reason from the list.
        page.goto(portal.url + routes.quote_path(decline_id))
        expect(page.get_by_role("region", name="Terms").get_by_text(TERMS)).to_be_visible()
        page.get_by_label("Reason").select_option(label="Too expensive")
        page.get_by_label("Comment (optional)").fill("Over our budget this year.")
        page.get_by_role("button", name="Decline quote").click()
        expect(page.get_by_text("Declined: Too expensive — Over our budget this year.")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)
        assert _quote(portal, decline_id).decline_reason == "too_expensive"
    finally:
        ctx.close()


def _quote(portal, quote_id: int) -> Quote:
    with portal_session(portal) as session:
        return session.get(Quote, quote_id)


def test_billing_staff_write_a_quote_and_send_it_after_confirming(portal, browser):
    """The staff's editor: a draft saved with an error shown next to its
    field first, then sent behind a confirmation; a second draft deleted."""
    company = "Quoted Staff Co"
    create_person(portal, unique_email("quoeditor"), company=company, name="Ed Itor")
    with portal_session(portal) as session:
        org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        page.goto(portal.url + routes.STAFF_QUOTE_EDITOR + f"?org={org_id}")
        expect(page.get_by_role("heading", name="New quote")).to_be_visible()
        page.get_by_label("Title").fill("Garden office")
        page.get_by_label("Terms").fill("Half on acceptance, half on completion.")
        page.get_by_label("Valid until").fill((quotes.today() + timedelta(days=10)).isoformat())
        line = page.get_by_role("group", name="Line 1")
        line.get_by_label("Description").fill("Timber frame")
        line.get_by_label("Quantity").fill("1")
        line.get_by_label("Unit price").fill("twelve")
        page.get_by_role("button", name="Save draft").click()
        expect(line.get_by_text("Line 1: unit price must be a number", exact=False)).to_be_visible()
        assert axe_violations(page) == []
        line.get_by_label("Unit price").fill("1200")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("heading", name="Draft quote")).to_be_visible()
        page.get_by_role("button", name="Send to the customer").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Quote QUO-"))).to_be_visible()
        with portal_session(portal) as session:
            sent = session.exec(select(Quote).where(Quote.org_id == org_id)).one()
            assert (sent.status, sent.title) == ("sent", "Garden office")

        page.goto(portal.url + routes.STAFF_QUOTE_EDITOR + f"?org={org_id}")
        page.get_by_label("Title").fill("Never mind")
        page.get_by_label("Terms").fill("None.")
        page.get_by_label("Valid until").fill((quotes.today() + timedelta(days=10)).isoformat())
        page.get_by_role("group", name="Line 1").get_by_label("Description").fill("Nothing")
        page.get_by_role("group", name="Line 1").get_by_label("Unit price").fill("1")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("heading", name="Draft quote")).to_be_visible()
        page.get_by_role("button", name="Delete draft").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(page.get_by_text("Draft deleted.")).to_be_visible()
        with portal_session(portal) as session:
            assert [q.title for q in session.exec(select(Quote).where(Quote.org_id == org_id)).all()] == [
                "Garden office"]
    finally:
        ctx.close()
