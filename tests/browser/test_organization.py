"""Organisations in real Chromium: invite a teammate, who accepts (new
account) and sees the organisation; an existing user accepts after signing
in and switches between organisations; roles and removal."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.accounts_helpers import PASSWORD, create_person, link_from_outbox, sign_in, unique_email


def _invite(page, portal, email: str, role: str = "member") -> None:
    page.goto(portal.url + "/organisation")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    expect(page.get_by_role("list", name="Pending invitations").get_by_text(email)).to_be_visible()


def test_invite_a_new_teammate_who_accepts_and_sees_the_organisation(portal, browser, page):
    owner = unique_email("owner")
    create_person(portal, owner, company="Teamwork Ltd", name="Olive Owner")
    sign_in(page, portal.url, owner)
    teammate = unique_email("mate")
    _invite(page, portal, teammate, "billing")

    ctx = browser.new_context()
    try:
        mate = ctx.new_page()
        mate.goto(link_from_outbox(portal.data_dir, teammate, "/invitations/accept"))
        expect(mate.get_by_text("You are invited to join Teamwork Ltd as billing.")).to_be_visible()
        mate.get_by_label("Your name").fill("Matt <i>Mate</i>")
        mate.get_by_label("Password", exact=True).fill("short")
        mate.get_by_role("button", name="Create account and join").click()
        expect(mate.get_by_text("Use at least 12 characters.")).to_be_visible()
        mate.get_by_label("Password", exact=True).fill(PASSWORD)
        mate.get_by_role("button", name="Create account and join").click()
        expect(mate.get_by_role("heading", name="Hello, Matt <i>Mate</i>")).to_be_visible()
        expect(mate.get_by_text("Teamwork Ltd")).to_be_visible()
        mate.goto(portal.url + "/organisation")
        expect(mate.get_by_role("list", name="Members").get_by_role("listitem")).to_have_count(2)
        expect(mate.get_by_role("button", name="Send invitation")).to_have_count(0)  # billing cannot invite
    finally:
        ctx.close()

    page.goto(portal.url + "/organisation")
    member = page.get_by_role("listitem", name="Matt <i>Mate</i>")
    member.get_by_role("combobox", name="Role of Matt <i>Mate</i>").click()
    page.get_by_role("option", name="admin").click()
    expect(page.get_by_text("Role changed.")).to_be_visible()
    member.get_by_role("button", name="Remove Matt <i>Mate</i>").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Member removed.")).to_be_visible()
    expect(page.get_by_role("list", name="Members").get_by_role("listitem")).to_have_count(1)


def test_existing_user_signs_in_to_accept_and_switches_organisation(portal, browser, page):
    owner = unique_email("owner")
    create_person(portal, owner, company="Host Co")
    guest = unique_email("guest")
    create_person(portal, guest, company="Guest Co", name="Gwen Guest")
    sign_in(page, portal.url, owner)
    _invite(page, portal, guest)
    page.get_by_role("button", name=f"Withdraw the invitation to {guest}").click()
    expect(page.get_by_text("Invitation withdrawn.")).to_be_visible()
    withdrawn = link_from_outbox(portal.data_dir, guest, "/invitations/accept")
    _invite(page, portal, guest)

    ctx = browser.new_context()
    try:
        other = ctx.new_page()
        other.goto(withdrawn)
        expect(other.get_by_text("expired, was withdrawn or was already used")).to_be_visible()
        link = link_from_outbox(portal.data_dir, guest, "/invitations/accept")
        while link == withdrawn:  # the second mail may land a moment later
            link = link_from_outbox(portal.data_dir, guest, "/invitations/accept")
        other.goto(link)
        other.get_by_role("link", name="Sign in to accept").click()
        other.get_by_label("Email", exact=True).fill(guest)
        other.get_by_label("Password", exact=True).fill(PASSWORD)
        other.get_by_role("button", name="Sign in", exact=True).click()
        other.get_by_role("button", name="Accept and join").click()
        expect(other.get_by_role("heading", name="Hello, Gwen Guest")).to_be_visible()
        switcher = other.get_by_role("combobox", name="Organisation")
        expect(switcher).to_have_text("Guest Co")
        switcher.click()
        other.get_by_role("option", name="Host Co").click()
        expect(other.get_by_role("combobox", name="Organisation")).to_have_text("Host Co")
        expect(other.get_by_text("member", exact=True)).to_be_visible()
    finally:
        ctx.close()
