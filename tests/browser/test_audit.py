"""The audit log in real Chromium: an owner's change appears in the
organisation's log and can be filtered; members are kept out; staff admins
see everything."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from portal_app.models import Membership, User
from portal_app.services import audit
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email


def test_owner_reads_and_filters_the_organisation_log(portal, page):
    owner = unique_email("auditor")
    # Markup in a name is shown as typed: sentences are text, never HTML or Markdown.
    create_person(portal, owner, company="<b>Audited</b> Ltd", name="Audrey Auditor")
    sign_in(page, portal.url, owner)
    page.goto(portal.url + "/organisation")
    page.get_by_label("Legal name").fill("Audited Limited")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.get_by_role("link", name="Audit log").click()
    events = page.get_by_role("list", name="Audit events")
    expect(events.get_by_text("Audrey Auditor updated the organisation profile (legal name)", exact=True)) \
        .to_be_visible()
    expect(events.get_by_text("Audrey Auditor registered and created <b>Audited</b> Ltd", exact=True)).to_be_visible()
    assert events.locator("b").count() == 0
    updated = events.get_by_role("listitem").filter(has_text="updated the organisation profile")
    # The time in PORTAL_LOCALE (en_GB by default) with its zone named, the email and the IP.
    expect(updated).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} UTC · "))
    expect(updated).to_contain_text(f"{owner} · IP 127.0.0.1")
    expect(page.get_by_text("Times are shown, and days are counted, in UTC.")).to_be_visible()
    page.get_by_label("Action").select_option("org.profile_updated")
    page.get_by_role("button", name="Filter").click()
    expect(events.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_text("1 event", exact=True)).to_be_visible()
    page.get_by_label("From").fill("2020-01-02")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 event from 2 Jan 2020 (UTC)", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 740})  # sentences and filters wrap on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("From").fill("2030-01-02")
    page.get_by_label("To").fill("2030-01-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()


def test_owner_pages_through_a_long_log(portal, page):
    """Next and Previous move a page at a time (by seek, services/paging.py)
    and say where the person is; no event shows on both pages."""
    owner = unique_email("pager")
    create_person(portal, owner, company="Paged Ltd", name="Paula Pager")
    with portal_session(portal) as session:
        org_id = session.exec(select(Membership.org_id).join(User, User.id == Membership.user_id)
                               .where(User.email == owner)).one()
        for i in range(60):
            audit.record(session, "org.renamed", actor_label=owner, org_id=org_id,
                         details={"from": "Paged Ltd", "to": f"Name {i:02d}"})
        session.commit()
    sign_in(page, portal.url, owner)
    page.goto(portal.url + "/organisation/audit")
    events = page.get_by_role("list", name="Audit events")
    expect(page.get_by_text(re.compile(r"^Page 1 of 2 · 6\d in all$"))).to_be_visible()
    expect(events.get_by_role("listitem")).to_have_count(audit.PAGE_SIZE)
    first_page = events.get_by_role("listitem").all_inner_texts()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(re.compile(r"^Page 2 of 2 "))).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    assert not set(events.get_by_role("listitem").all_inner_texts()) & set(first_page)
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_text(re.compile(r"^Page 1 of 2 "))).to_be_visible()
    expect(events.get_by_role("listitem").first).to_contain_text(first_page[0].splitlines()[0])


def test_staff_admin_reads_everything(portal, page):
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    page.goto(portal.url + "/staff/audit")
    events = page.get_by_role("list", name="Audit events")
    expect(events.get_by_text(re.compile("signed in")).first).to_be_visible()
    page.get_by_label("Person (email)").fill(DEMO_STAFF_EMAIL)
    page.get_by_role("button", name="Filter").click()
    expect(events.get_by_role("listitem").first).to_contain_text(DEMO_STAFF_EMAIL)
    expect(events.get_by_role("listitem").first).to_contain_text(re.compile(r" signed in on \w+"))


def test_customers_cannot_open_the_staff_log(portal, page):
    address = unique_email()
    create_person(portal, address)
    sign_in(page, portal.url, address)
    page.goto(portal.url + "/staff/audit")
    expect(page).to_have_url(re.compile(r"/dashboard"))
