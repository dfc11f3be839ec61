"""The catalogue in real Chromium: a staff member adds a product (a bad SKU
refused next to its field, what was typed kept) and gives a customer
organisation its own price; the customer (desktop and phone) sees their
price with the list price struck through. axe at each step; the watched
browser fails the test on any console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Organization
from portal_app.models.catalogue import CustomerPrice, Product
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations


def _org_id(portal, company: str) -> int:
    with portal_session(portal) as session:
        return session.exec(select(Organization.id).where(Organization.name == company)).one()


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_add_a_product_and_a_customer_price_the_customer_sees_it(portal, browser, width):
    customer = unique_email("catalogcustomer")
    company = f"Catalogue Co {width}"
    create_person(portal, customer, company=company, name="Cat Alogue")
    org_id = _org_id(portal, company)
    name, sku = f"Priority support {width}", f"priority-support-{width}"
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    customer_ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_CATALOGUE)
        expect(staff.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
        staff.get_by_role("button", name="Add a product").click()
        form = staff.get_by_role("form", name="Product")
        form.get_by_label("Name").fill(name)
        form.get_by_label("SKU").fill("not a sku!")
        form.get_by_label("Kind").select_option("recurring")
        expect(form.get_by_label("Billed")).to_be_visible()
        form.get_by_label("Unit price").fill("49.99")
        form.get_by_label("Tax rate (%)").fill("20")
        form.get_by_role("button", name="Add product").click()
        expect(form.get_by_text("A SKU may hold only letters")).to_be_visible()
        expect(form.get_by_label("Name")).to_have_value(name)
        assert axe_violations(staff) == []
        form.get_by_label("SKU").fill(sku)
        form.get_by_role("button", name="Add product").click()
        expect(staff.get_by_text(f"Added \u201c{name}\u201d.")).to_be_visible()
        table = staff.get_by_role("region", name="Products")
        expect(table.get_by_text(name)).to_be_visible()
        expect(table.get_by_text("£49.99 a month").first).to_be_visible()
        with portal_session(portal) as session:
            product = session.exec(select(Product).where(Product.sku == sku)).one()
        assert (product.kind, product.interval, product.unit_price, product.tax_rate) == ("recurring", "month",
                                                                                          4999, 2000)
        assert axe_violations(staff) == []

        staff.get_by_role("link", name="Customer prices").click()
        expect(staff.get_by_role("heading", name="Customer prices")).to_be_visible()
        staff.get_by_label("Find an organisation").fill(company)  # the list shows the first 50 otherwise
        expect(staff.get_by_label("Organisation", exact=True).locator("option")).to_have_count(2)  # and "Choose…"
        staff.get_by_label("Organisation", exact=True).select_option(str(org_id))
        staff.get_by_role("button", name="Show prices").click()
        expect(staff.get_by_role("heading", name=company)).to_be_visible()
        prices = staff.get_by_role("region", name="Prices for the organisation")
        prices.get_by_role("textbox", name=f"Own price for {name}").fill("-3")
        prices.get_by_role("button", name=f"Set own price for {name}").click()
        expect(prices.get_by_text("Price cannot be negative.")).to_be_visible()
        prices.get_by_role("textbox", name=f"Own price for {name}").fill("12.80")
        prices.get_by_role("button", name=f"Set own price for {name}").click()
        expect(staff.get_by_text("Price saved.")).to_be_visible()
        expect(prices.get_by_text("£12.80 a month")).to_be_visible()
        with portal_session(portal) as session:
            own = session.exec(select(CustomerPrice).where(CustomerPrice.org_id == org_id)).one()
        assert (own.product_id, own.unit_price) == (product.id, 1280)
        assert axe_violations(staff) == []

        page = customer_ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.CATALOGUE)
        expect(page.get_by_role("heading", name="Products and prices")).to_be_visible()
        card = page.get_by_role("heading", name=name).locator("xpath=ancestor::div[contains(@class,'rt-Card')]")
        expect(card.get_by_text("£12.80 a month")).to_be_visible()
        expect(card.locator("s")).to_have_text("£49.99 a month")
        expect(page.get_by_text("Add one-off products to your cart to order them", exact=False)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert axe_violations(page) == []
    finally:
        staff_ctx.close()
        customer_ctx.close()
