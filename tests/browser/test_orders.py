"""Orders in real Chromium, two people in two browsers, at 1280 and 375 px:
a customer adds a product to the cart from the catalogue and places an
order with a purchase-order reference; staff in a second context confirm
it, ship it with tracking and mark it delivered, and the customer's open
order page shows each step live, without a reload. axe at each step;
nothing scrolls sideways; no console errors (the fixture fails on any)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Organization
from portal_app.models.catalogue import Product
from portal_app.models.orders import Order
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_customer_orders_and_follows_it_to_delivered_live(portal, browser, width):
    customer, company, name = unique_email("ordercustomer"), f"Orders Co {width}", f"Acorn router {width}"
    create_person(portal, customer, company=company, name="Olga Orders")
    with portal_session(portal) as session:
        org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
        session.add(Product(name=name, sku=f"acorn-router-{org_id}", currency="GBP", unit_price=12000,
                            tax_rate=2000, stock=5))
        session.commit()
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.CATALOGUE)
        form = page.get_by_role("form", name=f"Add {name} to your cart")
        form.get_by_label("Quantity").fill("2")
        form.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text("Added to your cart.")).to_be_visible()
        expect(page.get_by_role("link", name="Cart (1)")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)

        page.get_by_role("link", name="Cart (1)").click()
        expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
        totals = page.get_by_label("Totals")
        expect(totals).to_contain_text("£240.00")
        expect(totals).to_contain_text("£288.00")
        expect(page.get_by_text("5 in stock")).to_be_visible()
        page.get_by_label("Your purchase-order reference").fill(f"PO-{width}")
        page.get_by_label("Delivery address").fill("1 Quay Street\nBristol BS1 4DJ")
        assert axe_violations(page) == []
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Place order").click()
        expect(page).to_have_url(re.compile(r"/orders/[0-9]+/?$"))
        expect(page.get_by_role("heading", name=re.compile(r"^Order ORD-\d{4}-\d{4}$"))).to_be_visible()
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline.get_by_role("listitem")).to_have_count(1)
        expect(page.get_by_text(f"PO-{width}", exact=True)).to_be_visible()
        with portal_session(portal) as session:
            order = session.exec(select(Order).where(Order.org_id == org_id)).one()
            assert (order.status, order.total, order.po_reference) == ("placed", 28800, f"PO-{width}")

        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_ORDERS)
        staff.get_by_role("link", name=order.number).click()
        staff.get_by_role("button", name="Confirm order").click()
        staff.get_by_role("alertdialog").get_by_role("button", name="Confirm order").click()
        expect(staff.get_by_text("Order confirmed and its invoice issued.")).to_be_visible()
        expect(timeline.get_by_role("listitem")).to_have_count(2)  # the customer's page, live
        expect(page.get_by_role("link", name=re.compile(r"^INV-"))).to_be_visible()

        staff.get_by_label("Carrier").fill("DHL")
        staff.get_by_label("Tracking number").fill("JD0001")
        staff.get_by_label("Tracking link").fill("https://track.example/JD0001")
        staff.get_by_role("button", name="Mark shipped").click()
        expect(staff.get_by_text("Order marked shipped.")).to_be_visible()
        track = page.get_by_role("link", name="Track the parcel")
        expect(track).to_be_visible()
        expect(track).to_have_attribute("href", "https://track.example/JD0001")
        expect(track).to_have_attribute("rel", re.compile("noopener"))
        expect(timeline.get_by_role("listitem")).to_have_count(3)

        staff.get_by_role("button", name="Mark delivered").click()
        staff.get_by_role("alertdialog").get_by_role("button", name="Mark delivered").click()
        expect(staff.get_by_text("Nothing left to do on this order.")).to_be_visible()
        expect(timeline.get_by_role("listitem")).to_have_count(4)
        expect(timeline).to_contain_text("Delivered")
        expect(page.get_by_role("button", name="Order again")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)
        assert axe_violations(staff) == []
    finally:
        staff_ctx.close()
        ctx.close()
