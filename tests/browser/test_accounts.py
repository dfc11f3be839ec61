"""Accounts in real Chromium against the real app: register, confirm by the
mailed link, sign in and out, links, resets, sessions."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.accounts_helpers import (
    PASSWORD, create_person, link_from_outbox, sign_in, sign_in_with_form, sign_out, unique_email,
)


def test_register_confirm_sign_in_and_out(portal, page):
    address = unique_email("grace")
    page.goto(portal.url + "/register")
    page.get_by_label("Your name").fill("Grace <b>Hopper</b>")
    page.get_by_label("Work email").fill(address.upper())
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Company name").fill("Navy Labs")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a confirmation link")).to_be_visible()

    page.goto(link_from_outbox(portal.data_dir, address, "/verify-email"))
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    # Not signed in here (a phone's mail app, say): offered to sign in.
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))

    sign_in_with_form(page, portal.url, address)
    expect(page).to_have_url(re.compile(r"/dashboard"))
    # Hostile markup in a name is shown as text, never rendered.
    expect(page.get_by_role("heading", name="Hello, Grace <b>Hopper</b>")).to_be_visible()
    expect(page.get_by_text("Navy Labs")).to_be_visible()
    expect(page.get_by_text("Confirmed")).to_be_visible()
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "portal_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # invisible to scripts

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "portal_session"]
    page.goto(portal.url + "/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fdashboard"))


def test_a_stolen_cookie_stops_working_after_sign_out(portal, browser, page):
    address = unique_email()
    create_person(portal, address)
    sign_in(page, portal.url, address)
    stolen = [c for c in page.context.cookies() if c["name"] == "portal_session"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    thief = browser.new_context()
    try:
        thief.add_cookies(stolen)
        other = thief.new_page()
        other.goto(portal.url + "/dashboard")
        expect(other).to_have_url(re.compile(r"/sign-in"))
    finally:
        thief.close()


def test_wrong_password_says_so_and_keeps_the_email(portal, page):
    address = unique_email()
    create_person(portal, address)
    page.goto(portal.url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="The email or password is not right.")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(address)


def test_registration_refuses_a_weak_password_and_keeps_the_form(portal, page):
    page.goto(portal.url + "/register")
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)  # connected: a click now reaches the server
    page.get_by_label("Your name").fill("Weak Walter")
    page.get_by_label("Work email").fill(unique_email())
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_label("Company name").fill("Weak Co")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(re.compile("This password is too weak"))).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Weak Walter")


def test_sign_in_by_emailed_link(portal, page):
    address = unique_email()
    create_person(portal, address, verified=False)
    page.goto(portal.url + "/sign-in")
    page.get_by_role("button", name="Email me a sign-in link instead").click()
    # The form is swapped once the server answers; typing before that is lost.
    expect(page.get_by_role("form", name="Sign in by email link")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_text("a sign-in link is on its way")).to_be_visible()
    link = link_from_outbox(portal.data_dir, address, "/sign-in/link")
    page.goto(link)
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)  # connected: a click now reaches the server
    page.get_by_role("button", name="Continue signing in").click()
    expect(page.get_by_role("heading", name="Hello, Test Person")).to_be_visible()
    page.goto(link)  # single use
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)
    page.get_by_role("button", name="Continue signing in").click()
    expect(page.get_by_text("expired or was already used")).to_be_visible()


def test_forgot_and_reset_password(portal, page):
    address = unique_email()
    create_person(portal, address)
    page.goto(portal.url + "/forgot-password")
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()
    page.goto(link_from_outbox(portal.data_dir, address, "/reset-password"))
    page.get_by_label("New password", exact=True).fill("violet-canyon-drum-42")
    page.get_by_label("Repeat the new password").fill("violet-canyon-drum-42")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    sign_in(page, portal.url, address, "violet-canyon-drum-42")


def test_unknown_address_gets_the_same_reset_answer(portal, page):
    page.goto(portal.url + "/forgot-password")
    page.get_by_label("Email", exact=True).fill(unique_email("nobody"))
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()


def test_sessions_list_and_sign_out_of_other_sessions(portal, browser, page):
    address = unique_email()
    create_person(portal, address)
    other_ctx = browser.new_context()
    try:
        other = other_ctx.new_page()
        sign_in(other, portal.url, address)
        sign_in(page, portal.url, address)
        page.goto(portal.url + "/account/security")
        sessions = page.get_by_role("list", name="Sessions").get_by_role("listitem")
        expect(sessions).to_have_count(2)
        expect(page.get_by_text("This device")).to_have_count(1)
        # This device's row is marked and cannot sign itself out from the list; the other can be.
        this_device = sessions.filter(has_text="This device")
        expect(this_device.get_by_role("button")).to_have_count(0)
        expect(sessions.filter(has_not_text="This device").get_by_role(
            "button", name=re.compile(r"^Sign out "))).to_have_count(1)
        page.get_by_role("button", name="Sign out of all other sessions").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Sign out others").click()
        expect(page.get_by_text("Signed out of 1 other session.")).to_be_visible()
        expect(sessions).to_have_count(1)
        other.goto(portal.url + "/dashboard")
        expect(other).to_have_url(re.compile(r"/sign-in"))
    finally:
        other_ctx.close()


def test_change_password_asks_for_the_current_one(portal, page):
    address = unique_email()
    create_person(portal, address)
    sign_in(page, portal.url, address)
    page.goto(portal.url + "/account/security")
    page.get_by_label("Current password").fill("wrong-current-pw")
    page.get_by_label("New password", exact=True).fill("violet-canyon-drum-42")
    page.get_by_label("Repeat the new password").fill("violet-canyon-drum-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your current password is not right.")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()


def test_dashboard_fits_a_phone(portal, browser):
    address = unique_email()
    create_person(portal, address, verified=False)
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, address)
        expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.set_viewport_size({"width": 1280, "height": 720})
    finally:
        ctx.close()


def test_demo_login_printed_by_the_run_command_works(portal, page):
    from portal_app.services.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD

    org, _, address = DEMO_ORGANIZATIONS[0]
    sign_in(page, portal.url, address, DEMO_PASSWORD)
    expect(page.get_by_text(org)).to_be_visible()


def test_profile_name_change_shows_everywhere(portal, page):
    address = unique_email()
    create_person(portal, address)
    sign_in(page, portal.url, address)
    page.goto(portal.url + "/account/profile")
    expect(page.get_by_label("Your name")).to_have_value("Test Person")
    page.get_by_label("Your name").fill("x" * 300)  # the browser stops at 200; the server checks too
    expect(page.get_by_label("Your name")).to_have_value("x" * 200)
    page.get_by_label("Your name").fill("   ")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your name is required.")).to_be_visible()
    page.get_by_label("Your name").fill("Renée Renamed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("Renée Renamed")).to_be_visible()


def test_instance_logo_from_settings_is_in_the_header(portal, page):
    page.goto(portal.url + "/")
    logo = page.get_by_role("banner").locator("img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 1


def test_sign_in_with_the_keyboard_alone(portal, page):
    address = unique_email("keys")
    create_person(portal, address)
    page.goto(portal.url + "/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email", exact=True).focus()
    page.keyboard.type(address)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    page.keyboard.press("Tab")  # the first stop on the page is reachable and visible
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused in ("A", "BUTTON")


def test_a_ticket_link_alone_signs_nobody_in(portal):
    """Login CSRF: an attacker's own ticket, sent as a link, is useless
    without the binding cookie that only the attacker's browser holds."""
    import httpx

    from portal_app.services import accounts, tokens
    from tests.browser.accounts_helpers import portal_session

    address = unique_email("csrf")
    create_person(portal, address)
    with portal_session(portal) as session:
        ticket = accounts.login_with_password(session, email=address, password=PASSWORD, ip="192.0.2.1").ticket
        session.commit()
    first, _, binding = ticket.partition(tokens.TICKET_SEPARATOR)
    url = f"{portal.url}/auth/complete"
    refused = httpx.get(url, params={"ticket": first})
    assert refused.status_code == 303 and refused.headers["location"] == "/sign-in?error=expired"
    assert "portal_session" not in refused.headers.get("set-cookie", "")
    accepted = httpx.get(url, params={"ticket": first}, cookies={"portal_ticket": binding})
    assert accepted.status_code == 303 and "portal_session=" in accepted.headers["set-cookie"]
    assert "httponly" in accepted.headers["set-cookie"].lower()


def test_confirming_the_address_while_signed_in_continues_into_the_portal(portal, page):
    address = unique_email("later")
    create_person(portal, address, verified=False)
    sign_in(page, portal.url, address)
    expect(page.get_by_text("Not confirmed yet")).to_be_visible()
    link = link_from_outbox(portal.data_dir, address, "/verify-email")
    page.goto(portal.url + link[link.index("/verify-email"):])  # mailed by the test process's settings
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    toasts = page.get_by_role("region", name=re.compile("Notifications"))
    expect(toasts.get_by_text("Thank you: your email address is confirmed.")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_have_count(0)


def test_change_ones_email_address_from_the_new_mailbox(portal, browser, page):
    import email as email_lib
    import time
    from email import policy

    old, new = unique_email("old"), unique_email("new")
    create_person(portal, old, name="Moving Mona")
    other_ctx = browser.new_context()  # another device, signed out by the change
    try:
        other = other_ctx.new_page()
        sign_in(other, portal.url, old)
        sign_in(page, portal.url, old)
        page.goto(portal.url + "/account/profile")
        expect(page.get_by_label("Current email")).to_have_text(old)
        page.get_by_label("New email address").fill(new)
        page.get_by_label("Current password").fill("not-my-password")
        page.get_by_role("button", name="Change email address").click()
        expect(page.get_by_text("Your current password is not right.")).to_be_visible()
        expect(page.get_by_label("New email address")).to_have_value(new)  # kept
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_role("button", name="Change email address").click()
        expect(page.get_by_text(f"We sent a link to {new}.")).to_be_visible()
        expect(page.get_by_label("Current email")).to_have_text(old)  # not before the link is opened
        page.set_viewport_size({"width": 375, "height": 740})  # the form fits a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.set_viewport_size({"width": 1280, "height": 720})

        link = link_from_outbox(portal.data_dir, new, "/account/confirm-email")
        page.goto(link)
        expect(page).to_have_url(re.compile(r"/account/profile$"))
        toasts = page.get_by_role("region", name=re.compile("Notifications"))
        expect(toasts.get_by_text(f"Your email address is now {new}.")).to_be_visible()
        expect(page.get_by_label("Current email")).to_have_text(new)
        expect(page.get_by_role("banner").get_by_text("Moving Mona")).to_be_visible()  # still signed in here

        other.goto(portal.url + "/dashboard")  # the other device was signed out
        expect(other).to_have_url(re.compile(r"/sign-in"))

        page.goto(link)  # a second use is refused
        expect(page.get_by_text("expired or was already used")).to_be_visible()
    finally:
        other_ctx.close()

    told, deadline = [], time.monotonic() + 10  # the mail leaves just after the change commits
    while not told and time.monotonic() < deadline:
        for file in (portal.data_dir / "outbox").glob("*.eml"):
            msg = email_lib.message_from_bytes(file.read_bytes(), policy=policy.default)
            if msg["To"] == old and "email address was changed" in msg["Subject"]:
                told.append(msg.get_content())
        time.sleep(0.2)
    assert len(told) == 1 and new in told[0] and "If you did not do this" in told[0]
    sign_out(page)
    sign_in(page, portal.url, new)
