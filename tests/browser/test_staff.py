"""The back office in real Chromium: a staff admin searches organisations and
people, adds a staff member and sees the mail in the outbox; customers are
kept out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app.models import Membership, User
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations


def make_ownerless(portal, address: str, company: str) -> tuple[int, int]:
    """A person whose organisation has lost its only owner (they became a
    plain member). No service allows that any more, so the row is changed
    directly: it is what the owner races, now fixed, left behind.
    Returns (org id, membership id)."""
    create_person(portal, address, company=company)
    with portal_session(portal) as session:
        membership = session.exec(select(Membership).join(User, User.id == Membership.user_id)
                                  .where(User.email == address)).one()
        membership.role = "member"
        session.add(membership)
        session.commit()
        return membership.org_id, membership.id


def test_staff_admin_searches_adds_staff_and_reads_the_outbox(portal, page):
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Open the back office").click()
    results = page.get_by_role("list", name="Results")
    expect(results.get_by_text("Acme Ltd")).to_be_visible()
    page.get_by_label("Search").fill("globex")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("listitem")).to_have_count(1)
    expect(results.get_by_text("Globex Corporation")).to_be_visible()

    page.get_by_role("tab", name="People").click()
    page.get_by_label("Search").fill("alice@acme")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_text("Alice Owner")).to_be_visible()

    newcomer = unique_email("agent")
    page.get_by_label("Name", exact=True).fill("Agnes <Agent>")
    page.get_by_label("Email", exact=True).fill(newcomer)
    page.get_by_label("Staff role").select_option("agent")
    page.get_by_role("button", name="Add staff member").click()
    expect(page.get_by_text(f"{newcomer} can now choose a password")).to_be_visible()

    page.get_by_role("link", name="Mail outbox").click()
    mail = page.get_by_role("list", name="Outgoing mail").get_by_role("listitem").filter(has_text=newcomer)
    expect(mail.get_by_text("Your staff account")).to_be_visible()
    expect(page.get_by_text("/reset-password?token=")).to_have_count(0)  # no links on show


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_admin_sends_a_failed_mail_again(portal, page, width):
    """A mail the portal gave up on shows as failed with its error; "Send
    again" queues it, and the job running inside the portal delivers it."""
    from portal_app.models import OutgoingMail
    from portal_app.models.base import utcnow
    from portal_app.services.mail import queue_mail

    page.set_viewport_size({"width": width, "height": 800})
    address = unique_email("bounced")
    with portal_session(portal) as session:
        mail = queue_mail(session, to=address, subject="Your invoice", body="Hello")
        mail.dead_at, mail.attempts, mail.last_error = utcnow(), 5, "SMTPServerDisconnected: gone away"
        session.add(mail)
        session.commit()
        mail_id = mail.id
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    page.goto(portal.url + "/staff/outbox")
    row = page.get_by_role("list", name="Outgoing mail").get_by_role("listitem").filter(has_text=address)
    expect(row.get_by_text("failed", exact=True)).to_be_visible()
    expect(row.get_by_text("SMTPServerDisconnected: gone away")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_violations(page) == []
    row.get_by_role("button", name=f"Send again to {address}").click()
    expect(page.get_by_text(f"The mail to {address} is queued again.")).to_be_visible()
    expect(row.get_by_role("button", name=f"Send again to {address}")).to_have_count(0)
    for _ in range(50):  # delivered by the consumer inside the portal, within seconds
        with portal_session(portal) as session:
            if session.get(OutgoingMail, mail_id).sent_at is not None:
                break
        page.wait_for_timeout(200)
    page.reload()
    expect(row.get_by_text("sent", exact=True)).to_be_visible()


def test_customers_are_kept_out_of_the_back_office(portal, page):
    address = unique_email()
    create_person(portal, address)
    sign_in(page, portal.url, address)
    expect(page.get_by_role("link", name="Back office")).to_have_count(0)
    page.goto(portal.url + "/staff")
    expect(page).to_have_url(re.compile(r"/dashboard"))
    page.goto(portal.url + "/staff/outbox")
    expect(page).to_have_url(re.compile(r"/dashboard"))


def test_staff_admin_gives_an_ownerless_organisation_an_owner(portal, page):
    address = unique_email("orphan")
    company = f"Orphan {address[7:17]} Ltd"
    make_ownerless(portal, address, company)
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    page.goto(portal.url + "/staff")
    page.get_by_label("Search").fill(company)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("list", name="Results").get_by_role("listitem").filter(has_text=company)
    expect(row.get_by_text("no owner")).to_be_visible()
    row.get_by_role("button", name="Give an owner").click()
    expect(page.get_by_role("heading", name=f"Give {company} an owner")).to_be_visible()
    page.get_by_role("button", name="Make Test Person owner").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_text(f"becomes an owner of {company}")).to_be_visible()
    dialog.get_by_role("button", name="Make owner").click()
    expect(page.get_by_text(f"{company} has an owner again.")).to_be_visible()
    expect(row.get_by_text("no owner")).to_have_count(0)
    with portal_session(portal) as session:
        assert session.exec(select(Membership.role).join(User, User.id == Membership.user_id)
                            .where(User.email == address)).one() == "owner"
