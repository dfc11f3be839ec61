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


def test_recovery_codes_can_be_copied_and_downloaded_and_turning_off_is_not_primary(portal, context, page):
    address = unique_email("codes")
    create_person(portal, address)
    sign_in(page, portal.url, address)
    secret, _ = set_up_mfa(page, portal, address)
    page.get_by_label("Code for new recovery codes").fill(mfa_code(portal, address, secret))
    page.get_by_role("button", name="Make new recovery codes").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    shown = codes.all_inner_texts()

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied", exact=True)).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert all(code in copied.splitlines() for code in shown) and address in copied

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "recovery-codes.txt"
    assert download.url.startswith("data:text/plain")  # made in the browser, never a server file
    saved = open(download.path(), encoding="utf-8").read()
    assert all(code in saved.splitlines() for code in shown)
    for file in portal.data_dir.rglob("*"):  # nothing on the server holds them either
        assert not file.is_file() or file.suffix == ".db" or shown[0].encode() not in file.read_bytes()

    page.get_by_role("button", name="I have saved them").click()
    turn_off = page.get_by_role("button", name="Turn off two-step verification")
    expect(turn_off).to_have_attribute("data-accent-color", "red")
    expect(turn_off).to_have_class(re.compile(r"\brt-variant-soft\b"))
    page.get_by_label("Your password").fill("wrong-password-123")
    page.get_by_label("Code from the app").fill(mfa_code(portal, address, secret))
    turn_off.click()
    expect(page.get_by_text("Your password is not right.")).to_be_visible()  # the password still guards it
    expect(page.get_by_text("10 recovery codes left")).to_be_visible()
