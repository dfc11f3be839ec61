"""Two-step verification in real Chromium: set up with the shown key, sign
in with a code, replay refused, recovery code, and an organisation that
requires it leading its owner to set it up."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.accounts_helpers import (
    create_person, mfa_code, password_step, set_up_mfa, sign_in, sign_out, unique_email,
)


def test_set_up_then_sign_in_with_a_code_and_a_recovery_code(portal, page):
    address = unique_email("mfa")
    create_person(portal, address)
    sign_in(page, portal.url, address)
    secret, recovery = set_up_mfa(page, portal, address)
    sign_out(page)

    password_step(page, portal, address)
    code = mfa_code(portal, address, secret)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    sign_out(page)

    password_step(page, portal, address)
    page.get_by_label("Code", exact=True).fill(code)  # the same code again
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(recovery[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()


def test_owner_requiring_mfa_is_led_to_set_it_up(portal, page):
    address = unique_email("owner")
    create_person(portal, address)
    sign_in(page, portal.url, address)
    page.get_by_role("switch").click()
    expect(page).to_have_url(re.compile(r"/account/security"))
    expect(page.get_by_text("Your organisation requires two-step verification.")).to_be_visible()
    page.goto(portal.url + "/dashboard")  # every private page leads back until it is set up
    expect(page).to_have_url(re.compile(r"/account/security"))
    set_up_mfa(page, portal, address)
    expect(page.get_by_text("so it stays on")).to_be_visible()
    page.goto(portal.url + "/dashboard")
    expect(page.get_by_text("Required for every member (0 without it yet)")).to_be_visible()
