"""Helpers for browser tests of accounts: unique people, the live portal's
database through the real services, and links read from its mail outbox."""

from __future__ import annotations

import email
import re
import time
import uuid
from email import policy
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session

from portal_app.db import make_engine
from tests import factories

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
    page.goto(url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
