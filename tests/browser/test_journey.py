"""The whole first-day journey in one go, as the issue describes it:
register -> read the confirmation mail -> confirm -> sign in -> turn on
two-step verification -> sign out -> sign in with a code -> invite a
teammate -> the teammate accepts and sees the organisation."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.accounts_helpers import (
    PASSWORD, invite, link_from_outbox, mfa_code, password_step, set_up_mfa, sign_in_with_form, sign_out,
    unique_email,
)


def test_first_day_journey(portal, browser, page):
    founder = unique_email("founder")
    page.goto(portal.url + "/register")
    page.get_by_label("Your name").fill("Fay Founder")
    page.get_by_label("Work email").fill(founder)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Company name").fill("Journey Works")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a confirmation link")).to_be_visible()

    page.goto(link_from_outbox(portal.data_dir, founder, "/verify-email"))
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()

    sign_in_with_form(page, portal.url, founder)  # a new person types it
    secret, _ = set_up_mfa(page, portal, founder)
    sign_out(page)

    password_step(page, portal, founder)
    page.get_by_label("Code", exact=True).fill(mfa_code(portal, founder, secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Hello, Fay Founder")).to_be_visible()

    teammate = unique_email("teammate")
    invite(page, portal, teammate, "admin")
    ctx = browser.new_context(viewport={"width": 375, "height": 740})  # the teammate is on a phone
    try:
        phone = ctx.new_page()
        phone.goto(link_from_outbox(portal.data_dir, teammate, "/invitations/accept"))
        expect(phone.get_by_text("You are invited to join Journey Works as admin.")).to_be_visible()
        phone.get_by_label("Your name").fill("Tim Teammate")
        phone.get_by_label("Password", exact=True).fill(PASSWORD)
        phone.get_by_role("button", name="Create account and join").click()
        expect(phone.get_by_role("heading", name="Hello, Tim Teammate")).to_be_visible()
        expect(phone.get_by_text("Journey Works")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.goto(portal.url + "/organisation")
        members = phone.get_by_role("list", name="Members")
        expect(members.get_by_role("listitem", name="Fay Founder")).to_be_visible()
        expect(members.get_by_role("listitem", name="Tim Teammate")).to_be_visible()
    finally:
        ctx.close()

    page.goto(portal.url + "/organisation/audit")
    events = page.get_by_role("list", name="Audit events")
    expect(events.get_by_text("Tim Teammate joined Journey Works as admin", exact=True)).to_be_visible()
    expect(events.get_by_text(f"Fay Founder invited {teammate} to Journey Works as admin", exact=True)).to_be_visible()
