"""Two-step verification in real Chromium: set up with the shown key, sign
in with a code, replay refused, recovery code, and an organisation that
requires it leading its owner to set it up."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import User
from portal_app.services import mfa
from tests.browser.accounts_helpers import PASSWORD, create_person, portal_session, sign_in, unique_email


def _code(portal, email: str, secret: str) -> str:
    """What the app would show now, for a step the portal has not seen yet."""
    with portal_session(portal) as session:
        last = session.exec(select(User.mfa_last_step).where(User.email == email)).one()
    step = max(int(time.time()) // mfa.STEP_SECONDS, last + 1)
    return pyotp.TOTP(secret).at(step * mfa.STEP_SECONDS)


def _set_up(page: Page, portal, email: str) -> tuple[str, list[str]]:
    page.goto(portal.url + "/account/security")
    page.get_by_role("button", name="Set up two-step verification").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_label("Set-up key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code from the app").fill(_code(portal, email, secret))
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.all_inner_texts()
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("10 recovery codes left")).to_be_visible()
    expect(page.get_by_label("Set-up key")).to_have_count(0)  # the secret is gone from the page
    return secret, recovery


def _first_factor(page: Page, portal, email: str) -> None:
    page.goto(portal.url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sign-in/code"))


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_set_up_then_sign_in_with_a_code_and_a_recovery_code(portal, page):
    address = unique_email("mfa")
    create_person(portal, address)
    sign_in(page, portal.url, address)
    secret, recovery = _set_up(page, portal, address)
    _sign_out(page)

    _first_factor(page, portal, address)
    code = _code(portal, address, secret)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    _sign_out(page)

    _first_factor(page, portal, address)
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
    _set_up(page, portal, address)
    expect(page.get_by_text("so it stays on")).to_be_visible()
    page.goto(portal.url + "/dashboard")
    expect(page.get_by_text("Required for every member (0 without it yet)")).to_be_visible()
