"""Card payments in real Chromium against localstripe (its Stripe.js
stand-in is what the page loads, through the CSP's one allowed origin): a
billing person saves a card on the billing page (a card the bank declines
is refused with its message, nothing saved), pays an open invoice with it
in one click and sees it paid; saves a card whose bank asks for 3-D Secure
and pays a second invoice through the bank's confirmation. Desktop and
phone; axe at each step; no console error (the `page` fixture's watch)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Invoice, Organization, Payment, PaymentAttempt, User
from portal_app.services import invoices
from portal_app.services.demo import DEMO_STAFF_EMAIL
from portal_app.services.principal import principal_for_user
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations

LINES = [{"description": "Support plan", "quantity": "1", "unit_price": "100", "tax_rate": "20"}]


def _two_invoices(portal, company: str) -> tuple[int, int]:
    with portal_session(portal) as session:
        org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
        staff = principal_for_user(session, session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).one(),
                                   None)
        made = []
        for _ in range(2):
            draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
            invoices.do_issue(session, staff, draft.id)
            made.append(draft.id)
        session.commit()
        return made[0], made[1]


def _type_card(page: Page, number: str) -> None:
    """localstripe's five plain fields (the year in two digits)."""
    for field, value in (("number", number), ("exp month", "12"), ("exp year", "34"), ("cvc", "123"),
                         ("postal code", "12345")):
        page.get_by_label(f"Card {field}", exact=True).fill(value)


def _add_card(page: Page, number: str) -> None:
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_label("Card number", exact=True)).to_be_visible()
    _type_card(page, number)
    page.get_by_role("button", name="Save card").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_billing_person_saves_cards_and_pays_invoices(portal, browser, page_errors, width):
    # The declined card's answer from the (test) Stripe server is a 402, which Chromium logs.
    page_errors.allow(r"Failed to load resource: .* 402 \(Payment Required\) "
                      r"\(http://127\.0\.0\.1:\d+/v1/setup_intents/")
    customer = unique_email("cardpayer")
    company = f"Card Payer {width}"
    create_person(portal, customer, company=company, name="Carla Card")
    first, second = _two_invoices(portal, company)
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.BILLING)
        cards = page.get_by_role("list", name="Saved cards")
        expect(page.get_by_text("No card saved yet.", exact=False)).to_be_visible()

        # Declined when saved: the bank's message, nothing saved.
        _add_card(page, "4000000000000002")
        expect(page.get_by_role("alert").filter(has_text=re.compile("declined", re.I))).to_be_visible()
        expect(cards).to_have_count(0)
        page.get_by_role("button", name="Cancel").click()

        _add_card(page, "4242424242424242")
        expect(cards.get_by_text(re.compile("Visa ending 4242"))).to_be_visible()
        expect(cards.get_by_text("Default")).to_be_visible()
        assert axe_violations(page) == []

        # One click pays the balance with the default card.
        page.goto(portal.url + routes.invoice_path(first))
        pay = page.get_by_role("button", name="Pay £120.00 by card")
        expect(pay).to_be_visible()
        assert axe_violations(page) == []
        pay.click()
        expect(page.locator(".rt-Badge", has_text=re.compile("^Paid$"))).to_be_visible()  # the invoice's status
        expect(page.get_by_label("Totals").get_by_text("£0.00")).to_be_visible()  # nothing left to pay
        expect(page.get_by_role("button", name=re.compile("^Pay .* by card$"))).to_have_count(0)

        # A card whose bank asks for 3-D Secure, and the second invoice through it.
        page.goto(portal.url + routes.BILLING)
        _add_card(page, "4000002760003184")
        page.get_by_role("button", name="Complete authentication").click()  # the bank asks when it is saved too
        expect(cards.get_by_text(re.compile("ending 3184"))).to_be_visible()
        page.goto(portal.url + routes.invoice_path(second))
        chooser = page.get_by_label("Card", exact=True)
        expect(chooser.locator("option")).to_have_count(2)
        chooser.select_option(label=next(t for t in chooser.locator("option").all_inner_texts() if t.endswith("3184")))
        page.get_by_role("button", name="Pay £120.00 by card").click()
        page.get_by_role("button", name="Complete authentication").click()
        expect(page.locator(".rt-Badge", has_text=re.compile("^Paid$"))).to_be_visible()  # the invoice's status
        expect(page.get_by_label("Totals").get_by_text("£0.00")).to_be_visible()  # nothing left to pay
        assert axe_violations(page) == []
    finally:
        context.close()
    with portal_session(portal) as session:
        paid = session.exec(select(Invoice).where(Invoice.id.in_([first, second]))).all()
        assert {i.status for i in paid} == {"paid"}
        assert len(session.exec(select(Payment).where(Payment.invoice_id.in_([first, second]))).all()) == 2
        attempts = session.exec(select(PaymentAttempt).where(PaymentAttempt.invoice_id.in_([first, second]))).all()
        assert sorted(a.status for a in attempts) == ["succeeded", "succeeded"]
