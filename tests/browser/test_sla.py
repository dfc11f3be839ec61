"""The staff admins' SLA screen in real Chromium, on a desktop and a phone:
a target that makes no sense gets its message next to the field, a good one
is saved with a toast, a holiday is added; no accessibility violation, no
console error (the `browser` fixture watches every page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal_app import routes
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import sign_in
from tests.browser.axe import axe_violations


@pytest.mark.parametrize("width", [1280, 375])
def test_a_staff_admin_sets_targets_and_holidays(portal, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        page.goto(portal.url + routes.STAFF)
        page.get_by_role("link", name="Service levels").click()
        expect(page.get_by_role("heading", name="Service levels")).to_be_visible()
        low = page.get_by_role("form", name="Low priority targets")
        low.get_by_label("First response (business minutes)").fill("5000")
        low.get_by_label("Resolution (business minutes)").fill("3000")
        low.get_by_role("button", name="Save low").click()
        expect(low.get_by_text("The first response cannot be due after the resolution.")).to_be_visible()
        first = str(width // 5)  # 256 or 75 minutes: each run saves something new
        low.get_by_label("First response (business minutes)").fill(first)
        low.get_by_role("button", name="Save low").click()
        expect(page.get_by_text("Targets for low priority saved.")).to_be_visible()
        minutes = int(first)
        expect(page.get_by_role("form", name="Low priority targets").get_by_text(
            f"Now {minutes // 60} h {minutes % 60} min")).to_be_visible()

        day = "2031-12-25" if width == 1280 else "2031-12-26"
        adding = page.get_by_role("form", name="Add a holiday")
        adding.get_by_label("Date").fill(day)
        adding.get_by_label("Name").fill(f"Holiday at {width}")
        adding.get_by_role("button", name="Add holiday").click()
        expect(page.get_by_text("Holiday added.")).to_be_visible()
        expect(page.get_by_role("list", name="Holidays").get_by_text(f"Holiday at {width}")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert axe_violations(page) == []
    finally:
        ctx.close()
