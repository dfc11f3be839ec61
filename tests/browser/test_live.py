"""Live pages in real Chromium, on a desktop and a phone: two people of one
organisation, each in their own browser. What one does appears on the
other's open page within 2 seconds, without reloading it: the members list
and the bell (a role change), and the audit log (an invitation). The
watching page is never reloaded (a marker set in its window survives)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal_app import routes
from tests.browser.accounts_helpers import create_person, sign_in, unique_email
from tests.browser.axe import axe_violations
from tests.browser.test_notifications import _member_of

LIVE_MS = 2000  # the promise: within 2 seconds


def _mark_loaded(page: Page) -> None:
    """Set a marker that a page reload (or navigation) would wipe."""
    page.evaluate("window.__stillTheSamePage = true")


def _not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__stillTheSamePage === true"), "the page was reloaded"


def _bell(page: Page, unread: int):
    name = f"Notifications, {unread} unread" if unread else "Notifications, none unread"
    return page.get_by_role("link", name=name, exact=True)


def _unread_now(page: Page) -> int:
    label = page.get_by_role("link", name=re.compile(r"^Notifications")).first.get_attribute("aria-label") or ""
    found = re.search(r"(\d+) unread", label)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("width", [1280, 375])
def test_what_one_person_changes_appears_on_the_other_s_open_page(portal, browser, width):
    owner, member = unique_email("liveowner"), unique_email("livemember")
    create_person(portal, owner, company="Live Works", name="Olive Owner")
    create_person(portal, member, company="Elsewhere", name="Mia Member")
    _member_of(portal, owner, member)
    viewport = {"width": width, "height": 800}
    owner_ctx, member_ctx = browser.new_context(viewport=viewport), browser.new_context(viewport=viewport)
    try:
        mine, theirs = owner_ctx.new_page(), member_ctx.new_page()
        sign_in(mine, portal.url, owner)
        sign_in(theirs, portal.url, member)

        # The member watches the members list of the organisation they joined.
        theirs.goto(portal.url + routes.ORGANIZATION)
        theirs.get_by_role("combobox", name="Organisation").click()
        theirs.get_by_role("option", name="Live Works").click()
        expect(theirs.get_by_role("combobox", name="Organisation")).to_have_text("Live Works")
        me = theirs.get_by_role("list", name="Members").get_by_role("listitem", name="Mia Member")
        expect(me.get_by_text("member", exact=True)).to_be_visible()
        expect(theirs.get_by_role("button", name="Send invitation")).to_have_count(0)
        before = _unread_now(theirs)
        _mark_loaded(theirs)

        # The owner makes them an admin, in their own browser.
        mine.goto(portal.url + routes.ORGANIZATION)
        mine.get_by_role("combobox", name="Role of Mia Member").click()
        mine.get_by_role("option", name="admin").click()
        expect(mine.get_by_text("Role changed.")).to_be_visible()

        # The member's open page shows it: their role, the invitation form an
        # admin gets, and the bell's new notification.
        expect(theirs.get_by_role("button", name="Send invitation")).to_be_visible(timeout=LIVE_MS)
        expect(_bell(theirs, before + 1)).to_be_visible(timeout=LIVE_MS)
        _not_reloaded(theirs)

        # The owner watches the audit log; the new admin invites someone.
        mine.goto(portal.url + routes.ORGANIZATION_AUDIT)
        expect(mine.get_by_role("heading", name="Audit log")).to_be_visible()
        _mark_loaded(mine)
        guest = unique_email("liveguest")
        theirs.get_by_label("Email address", exact=True).fill(guest)
        theirs.get_by_role("button", name="Send invitation").click()
        expect(theirs.get_by_text(f"Invitation sent to {guest}.")).to_be_visible()
        invited = re.compile(f"^Mia Member invited {re.escape(guest)}")
        expect(mine.get_by_text(invited)).to_be_visible(timeout=LIVE_MS)
        _not_reloaded(mine)

        assert axe_violations(theirs) == []
    finally:
        owner_ctx.close()
        member_ctx.close()

