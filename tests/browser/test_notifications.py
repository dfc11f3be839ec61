"""Notifications in real Chromium, on a desktop and a phone: an owner
changes a member's role; the member signs in, sees the bell's count, opens
the centre, follows the link, marks everything read and changes a setting
that stays changed. And an email's unsubscribe link: opening it changes
nothing, the button stops that kind of email."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import NotificationPreference, User
from portal_app.services import members, notifications
from portal_app.services.principal import principal_for_user
from portal_app.settings import load_settings
from tests import factories
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email


def _member_of(portal, owner: str, member: str) -> None:
    """`member` (with an account of their own) joined the owner's organisation."""
    with portal_session(portal) as session:
        _, owner_principal = factories.sign_in(session, owner)
        members.invite(session, owner_principal, owner_principal.current.org_id, email=member, role="member")
        session.commit()
        link = factories.token_from(factories.last_mail(session, member).body, routes.ACCEPT_INVITATION)
        _, member_principal = factories.sign_in(session, member)
        members.accept_as(session, member_principal, link)
        session.commit()


def _unread(portal, email: str) -> int:
    with portal_session(portal) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return notifications.unread_count(session, principal_for_user(session, user, None))


def _channel(portal, email: str, event: str) -> str | None:
    with portal_session(portal) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        row = session.get(NotificationPreference, (user.id, event))
        return row.channel if row else None


@pytest.mark.parametrize("width", [1280, 375])
def test_a_role_change_reaches_the_member_through_the_bell(portal, browser, width):
    owner, member = unique_email("bellowner"), unique_email("bellmember")
    create_person(portal, owner, company="Bell Works", name="Olive Owner")
    create_person(portal, member, company="Own Co", name="Mia Member")
    _member_of(portal, owner, member)
    viewport = {"width": width, "height": 800}

    owner_ctx = browser.new_context(viewport=viewport)
    try:
        page = owner_ctx.new_page()
        sign_in(page, portal.url, owner)
        page.goto(portal.url + routes.ORGANIZATION)
        page.get_by_role("combobox", name="Role of Mia Member").click()
        page.get_by_role("option", name="admin").click()
        expect(page.get_by_text("Role changed.")).to_be_visible()
    finally:
        owner_ctx.close()

    ctx = browser.new_context(viewport=viewport)
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, member)
        unread = _unread(portal, member)
        assert unread >= 2  # the invitation and the role change
        bell = page.get_by_role("link", name=f"Notifications, {unread} unread")
        expect(bell).to_be_visible()
        bell.click()
        expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
        items = page.get_by_role("list", name="Notifications").get_by_role("listitem")
        expect(items).to_have_count(unread)
        change = page.get_by_role("link", name="Olive Owner changed your role in Bell Works from member to admin.")
        expect(change).to_be_visible()  # newest first
        assert "changed your role" in items.first.inner_text()
        change.click()
        expect(page).to_have_url(re.compile(re.escape(routes.ORGANIZATION) + "/?$"))
        expect(page.get_by_role("link", name=f"Notifications, {unread - 1} unread")).to_be_visible()
        page.get_by_role("link", name=f"Notifications, {unread - 1} unread").click()
        page.get_by_role("button", name="Mark all read").click()
        expect(page.get_by_text("All marked as read.")).to_be_visible()
        expect(page.get_by_role("link", name="Notifications, none unread")).to_be_visible()
        assert _unread(portal, member) == 0

        page.get_by_label("Changes to your role").select_option("none")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Notification settings saved.")).to_be_visible()
        page.reload()
        expect(page.get_by_label("Changes to your role")).to_have_value("none")
        assert _channel(portal, member, "role_changed") == "none"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        ctx.close()


def portal_unsubscribe_token(portal, monkeypatch, email: str, event: str) -> str:
    """The token the portal would mail: signed with its own instance secret
    (in its data directory), not this test process's."""
    instance = dataclasses.replace(load_settings(), data_dir=portal.data_dir)
    monkeypatch.setattr(notifications, "get_settings", lambda: instance)
    with portal_session(portal) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return notifications.unsubscribe_token(user.id, event)


def test_the_unsubscribe_link_asks_before_it_stops_anything(portal, page, monkeypatch):
    person = unique_email("unsub")
    create_person(portal, person, company="Quiet Co", name="Quinn Quiet")
    token = portal_unsubscribe_token(portal, monkeypatch, person, "new_device")
    page.goto(f"{portal.url}{routes.UNSUBSCRIBE_API}?token={token}")  # as in the List-Unsubscribe header
    expect(page.get_by_text("You will no longer get emails about")).to_be_visible()
    expect(page.get_by_text("Sign-ins from a new device")).to_be_visible()
    assert _channel(portal, person, "new_device") is None  # opening the link changed nothing
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_text("Done: you will no longer get emails about “Sign-ins from a new device”.")).to_be_visible()
    assert _channel(portal, person, "new_device") == "in_app"

    page.goto(f"{portal.url}{routes.UNSUBSCRIBE}?token={token[:-3]}")
    expect(page.get_by_role("alert").filter(has_text="This unsubscribe link is not valid")).to_be_visible()
    expect(page.get_by_role("button", name="Stop these emails")).to_have_count(0)
