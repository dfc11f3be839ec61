"""My services in real Chromium, at 1280 and 375 px: a customer changes a
quantity, seeing the proration before confirming; cancels with a reason
(the comment is asked for when the reason is "Other") and undoes it; the
usage chart shows. axe at each step; nothing scrolls sideways. Billing staff
cancel a service for a customer who phones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Invoice, Organization
from portal_app.models.catalogue import Product, Subscription
from portal_app.services import subscriptions as subs
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations


def _service(portal, company: str, width: int) -> int:
    with portal_session(portal) as session:
        org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
        staff = factories.staff_admin(session, email=unique_email("substaff"), name="Sub Staff")
        product = Product(name=f"Managed hosting {width}", sku=f"BR-HOST-{org_id}", kind="recurring",
                          interval="month", currency="GBP", unit_price=4000, usage_unit="GB", usage_unit_price=50)
        session.add(product)
        session.flush()
        sub = subs.do_start(session, staff, org_id, product.id, 2)
        subs.do_record_usage(session, staff, sub.id, subs.today(), "3.5")
        session.commit()
        return sub.id


def _product_of(portal, sub_id: int) -> int:
    with portal_session(portal) as session:
        return session.get(Subscription, sub_id).product_id


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_customer_changes_cancels_and_keeps_a_service(portal, browser, width):
    customer = unique_email("subcustomer")
    company = f"Services Co {width}"
    create_person(portal, customer, company=company, name="Sam Services")
    sub_id = _service(portal, company, width)
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.SERVICES)
        card = page.get_by_role("heading", name=f"Managed hosting {width}")
        expect(card).to_be_visible()
        expect(page.get_by_text("So far: 3.5 GB, costing £1.75", exact=False)).to_be_visible()
        expect(page.get_by_role("img", name="Usage per day this period, in GB")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)

        # The change: its cost is shown before anything changes.
        page.get_by_role("button", name="Change quantity or plan").click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog.get_by_role("button", name="Confirm change")).to_be_disabled()
        expect(dialog.get_by_label("Plan")).to_have_value(str(_product_of(portal, sub_id)))
        dialog.get_by_label("New quantity").fill("5")
        dialog.get_by_role("button", name="Show the cost").click()
        words = rf"Change to 5 × Managed hosting {width}: .* You will be invoiced £120\.00 now\."
        expect(dialog.get_by_text(re.compile(words))).to_be_visible()
        assert axe_violations(page) == []
        with portal_session(portal) as session:
            assert session.get(Subscription, sub_id).quantity == 2  # nothing changed yet
        dialog.get_by_role("button", name="Confirm change").click()
        expect(page.get_by_text("Quantity changed.")).to_be_visible()
        expect(page.get_by_role("alertdialog")).to_have_count(0)
        with portal_session(portal) as session:
            assert session.get(Subscription, sub_id).quantity == 5
            assert len(session.exec(select(Invoice).where(Invoice.org_id == session.get(Subscription, sub_id)
                                                          .org_id)).all()) == 2

        # Cancelling: "Other" needs a comment; then undone.
        page.get_by_role("button", name="Cancel service").click()
        dialog = page.get_by_role("alertdialog")
        dialog.get_by_label("Why are you cancelling?").select_option("other")
        dialog.get_by_role("button", name="Cancel at period end").click()
        expect(dialog.get_by_text("Comment is required.")).to_be_visible()
        assert axe_violations(page) == []
        dialog.get_by_label("Comment").fill("We are moving it in-house.")
        dialog.get_by_role("button", name="Cancel at period end").click()
        expect(page.get_by_text("Cancelled: the service ends at the end of its current period.")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Cancelled: it ends on .* \(Other\)\.$"))).to_be_visible()
        with portal_session(portal) as session:
            sub = session.get(Subscription, sub_id)
            assert (sub.cancel_at_period_end, sub.cancel_reason, sub.cancel_comment) == (
                True, "other", "We are moving it in-house.")
        assert axe_violations(page) == []
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Undo cancellation").click()
        expect(page.get_by_text("Cancellation undone: the service renews.")).to_be_visible()
        expect(page.get_by_role("button", name="Cancel service")).to_be_visible()
        with portal_session(portal) as session:
            assert session.get(Subscription, sub_id).cancel_at_period_end is False
    finally:
        ctx.close()


def test_billing_staff_cancel_a_service_for_a_customer_who_phones(portal, browser):
    """From the staff's list: the customer's service is cancelled with the
    reason they gave, in the staff's words, and the customer sees it."""
    company = "Phoned In Ltd"
    create_person(portal, unique_email("subphone"), company=company, name="Pat Phone")
    sub_id = _service(portal, company, 640)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        page.goto(portal.url + routes.STAFF_SUBSCRIPTIONS)
        row = page.get_by_role("region", name="Subscriptions").get_by_role("row").filter(has_text=company)
        row.get_by_role("button", name="Cancel service").click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog.get_by_text("Their billing people are told", exact=False)).to_be_visible()
        dialog.get_by_label("Why is the customer cancelling?").select_option("too_expensive")
        assert axe_violations(page) == []
        dialog.get_by_role("button", name="Cancel at period end").click()
        expect(page.get_by_text("Cancelled: the service ends at the end of its current period.")).to_be_visible()
        expect(row.get_by_role("button", name="Undo cancellation")).to_be_visible()
        expect(row.get_by_text("(ends)", exact=False)).to_be_visible()
        with portal_session(portal) as session:
            sub = session.get(Subscription, sub_id)
            assert (sub.cancel_at_period_end, sub.cancel_reason) == (True, "too_expensive")
        assert axe_violations(page) == []
    finally:
        ctx.close()
