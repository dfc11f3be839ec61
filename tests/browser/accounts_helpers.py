"""Helpers for browser tests of accounts: unique people, the live portal's
database through the real services, and links read from its mail outbox."""

from __future__ import annotations

import email
import re
import time
import uuid
from email import policy
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import make_engine
from portal_app.models import User
from portal_app.services import mfa, sessions
from tests import factories, live_app

PASSWORD = factories.PASSWORD


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def portal_session(portal) -> Session:
    return Session(make_engine(f"sqlite:///{portal.data_dir / 'portal.db'}"), expire_on_commit=False)


def create_person(portal, email: str, *, company: str = "Test Co", name: str = "Test Person",
                  verified: bool = True) -> None:
    with portal_session(portal) as session:
        factories.register(session, email, company=company, name=name, verified=verified)


def link_from_outbox(data_dir: Path, to: str, path: str, timeout: float = 10) -> str:
    """The newest `path?token=` link mailed to `to` (as a person would click it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted((data_dir / "outbox").glob("*.eml"), reverse=True):
            msg = email.message_from_bytes(file.read_bytes(), policy=policy.default)
            if msg["To"] == to:
                match = re.search(r"(http://\S+" + re.escape(path) + r"\?token=[\w\-]+)", msg.get_content())
                if match:
                    return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no {path} link mailed to {to}")


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    """Signed in as `email` in the page's browser, as the sign-in form would
    leave it but without typing: a real session made through the services
    (the password, a code when two-step verification is on, the ticket
    exchanged for the session token, with this browser's user agent and
    address), its cookie set in the page's context, then the dashboard
    opened. About a second quicker a time; the tests of signing in itself
    go through the form (`sign_in_with_form`)."""
    portal = live_app.RUNNING[url]
    user_agent = page.evaluate("navigator.userAgent")
    with portal_session(portal) as session:
        raw, _ = factories.sign_in(session, email, password=password, ip="127.0.0.1", user_agent=user_agent)
    page.context.add_cookies([{"name": sessions.COOKIE_BASE_NAME, "value": raw, "url": url}])
    page.goto(url + routes.DASHBOARD)
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()


def sign_in_with_form(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    """Signed in by typing into the sign-in form and pressing the button."""
    page.goto(url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()


def mfa_code(portal, email: str, secret: str) -> str:
    """What the app would show now, for a step the portal has not seen yet."""
    with portal_session(portal) as session:
        last = session.exec(select(User.mfa_last_step).where(User.email == email)).one()
    step = max(int(time.time()) // mfa.STEP_SECONDS, last + 1)
    return pyotp.TOTP(secret).at(step * mfa.STEP_SECONDS)


def set_up_mfa(page: Page, portal, email: str) -> tuple[str, list[str]]:
    page.goto(portal.url + "/account/security")
    page.get_by_role("button", name="Set up two-step verification").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_label("Set-up key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code from the app").fill(mfa_code(portal, email, secret))
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.all_inner_texts()
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("10 recovery codes left")).to_be_visible()
    expect(page.get_by_label("Set-up key")).to_have_count(0)  # the secret is gone from the page
    return secret, recovery


def password_step(page: Page, portal, email: str) -> None:
    page.goto(portal.url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sign-in/code"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def invite(page, portal, email: str, role: str = "member") -> None:
    page.goto(portal.url + "/organisation")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    expect(page.get_by_role("list", name="Pending invitations").get_by_text(email)).to_be_visible()
