"""Organisations in real Chromium: invite a teammate, who accepts (new
account) and sees the organisation; an existing user accepts after signing
in and switches between organisations; roles and removal."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.accounts_helpers import PASSWORD, create_person, invite, link_from_outbox, sign_in, unique_email


def test_invite_a_new_teammate_who_accepts_and_sees_the_organisation(portal, browser, page):
    owner = unique_email("owner")
    create_person(portal, owner, company="Teamwork Ltd", name="Olive Owner")
    sign_in(page, portal.url, owner)
    teammate = unique_email("mate")
    invite(page, portal, teammate, "billing")

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
    invite(page, portal, guest)
    page.get_by_role("button", name=f"Withdraw the invitation to {guest}").click()
    expect(page.get_by_text("Invitation withdrawn.")).to_be_visible()
    withdrawn = link_from_outbox(portal.data_dir, guest, "/invitations/accept")
    invite(page, portal, guest)

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
        # Straight into the organisation just joined, and told so.
        expect(other.get_by_text("You joined Host Co.")).to_be_visible()
        switcher = other.get_by_role("combobox", name="Organisation")
        expect(switcher).to_have_text("Host Co")
        expect(other.get_by_text("member", exact=True)).to_be_visible()
        other.goto(portal.url + "/organisation")
        expect(other.get_by_role("button", name="Leave the organisation")).to_be_visible()  # one owner remains
        # In her own organisation she is the only owner: no Leave, and what to do instead.
        other.get_by_role("combobox", name="Organisation").click()
        other.get_by_role("option", name="Guest Co").click()
        expect(other.get_by_role("combobox", name="Organisation")).to_have_text("Guest Co")
        expect(other.get_by_text("You are the only owner: make someone else owner first")).to_be_visible()
        expect(other.get_by_role("button", name="Leave the organisation")).to_have_count(0)
    finally:
        ctx.close()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"


def test_profile_and_logo(portal, browser, page, tmp_path, page_errors):
    import httpx

    # The refused upload below answers 422 on purpose; the browser logs it.
    page_errors.allow(r"status of 422 .*/api/organizations/\d+/logo\)$")

    owner = unique_email("profile")
    create_person(portal, owner, company="Profile Co")
    sign_in(page, portal.url, owner)
    page.goto(portal.url + "/organisation")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Profile Co")
    page.get_by_label("Legal name").fill("Profile Company Limited")
    page.get_by_label("Address", exact=True).fill("1 Long Road\nLeeds")
    page.get_by_label("VAT or tax id").fill("<b>bad</b>")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("VAT or tax id may hold letters")).to_be_visible()
    expect(page.get_by_label("Legal name")).to_have_value("Profile Company Limited")  # kept
    page.get_by_label("VAT or tax id").fill("GB123456789")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Legal name")).to_have_value("Profile Company Limited")

    bad = tmp_path / "logo.png"
    bad.write_bytes(b"<svg onload=alert(1)></svg>")
    page.get_by_label("Logo file (PNG or JPEG, at most 1 MB)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("The logo must be a PNG or JPEG image.")).to_be_visible()
    good = tmp_path / "good.png"
    good.write_bytes(PNG)
    page.get_by_label("Logo file (PNG or JPEG, at most 1 MB)").set_input_files(str(good))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("Logo updated.")).to_be_visible()
    logo = page.get_by_role("img", name="Organisation logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 1  # served to the member

    src = logo.get_attribute("src")
    assert httpx.get(portal.url + src).status_code == 401  # no session, no logo
    stranger = unique_email("stranger")
    create_person(portal, stranger)
    ctx = browser.new_context()
    try:
        other = ctx.new_page()
        sign_in(other, portal.url, stranger)
        assert other.request.get(portal.url + src).status == 404  # another organisation's
    finally:
        ctx.close()


def test_a_double_click_sends_one_invitation(portal, page):
    from sqlmodel import select

    from portal_app.models import Invitation, OutgoingMail
    from tests.browser.accounts_helpers import portal_session

    owner = unique_email("doubleclick")
    create_person(portal, owner, company="Double Click Ltd")
    sign_in(page, portal.url, owner)
    page.goto(portal.url + "/organisation")
    mate = unique_email("once")
    page.get_by_label("Email address").fill(mate)
    page.get_by_role("button", name="Send invitation").dblclick()
    expect(page.get_by_text(f"Invitation sent to {mate}.").first).to_be_visible()
    expect(page.get_by_role("list", name="Pending invitations").get_by_text(mate)).to_have_count(1)
    with portal_session(portal) as session:
        assert len(session.exec(select(Invitation).where(Invitation.email == mate)).all()) == 1
        assert len(session.exec(select(OutgoingMail).where(OutgoingMail.to_address == mate)).all()) == 1
