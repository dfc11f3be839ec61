"""The document library in real Chromium, at 1280 and 375 px: a customer
opens a folder and uploads two files at once (a progress bar each), opens
one and sees its preview, uploads a new version with a note and sees the
history, and pages through a PDF shown as images of its pages; staff in a second browser share a document into the customer's
organisation and it appears in the customer's open folder without a
reload. axe at each step; nothing scrolls sideways; no console errors (the
fixture fails on any)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import routes
from portal_app.models import Organization, User
from portal_app.services import documents
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from portal_app.services.principal import principal_for_user
from tests.browser.accounts_helpers import create_person, portal_session, sign_in, unique_email
from tests.browser.axe import axe_violations

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _two_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=24)
    for words in ("The plan, page one", "The plan, page two"):
        pdf.add_page()
        pdf.cell(text=words)
    return bytes(pdf.output())


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_customer_uploads_versions_and_sees_a_shared_document_live(portal, browser, width):
    customer, company = unique_email("doccustomer"), f"Documents Co {width}"
    create_person(portal, customer, company=company, name="Dora Documents")
    with portal_session(portal) as session:
        user = session.exec(select(User).where(User.email == customer)).one()
        owner = principal_for_user(session, user, None)
        documents.create_folder(session, owner, owner.current.org_id, name="Shared with you")
        session.commit()
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, portal.url, customer)
        page.goto(portal.url + routes.DOCUMENTS)
        page.get_by_role("button", name="Shared with you").click()
        expect(page.get_by_role("heading", name="Shared with you")).to_be_visible()
        expect(page.get_by_text("No documents here yet")).to_be_visible()
        page.get_by_label("Upload files").set_input_files([
            {"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"Minutes of the kick-off\n<b>plain</b>\n"},
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": _two_page_pdf()}])
        uploads = page.get_by_role("list", name="Uploads")
        expect(uploads.get_by_role("progressbar")).to_have_count(2)
        expect(page.get_by_text("2 files uploaded.")).to_be_visible()
        table = page.get_by_role("region", name="Documents")
        expect(table.get_by_role("link", name="minutes.txt")).to_be_visible()
        expect(table.get_by_role("link", name="plan.pdf")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)

        table.get_by_role("link", name="minutes.txt").click()
        expect(page).to_have_url(re.compile(r"/documents/[0-9]+/?$"))
        expect(page.get_by_role("heading", name="minutes.txt")).to_be_visible()
        preview = page.get_by_label("Preview of minutes.txt")
        expect(preview).to_contain_text("<b>plain</b>")  # text, never HTML
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "minutes-v2.txt", "mimeType": "text/plain", "buffer": b"Minutes, corrected\n"})
        page.get_by_label("Note").fill("Corrected the date")
        page.get_by_role("button", name="Upload version").click()
        expect(page.get_by_text("Version 2 uploaded.")).to_be_visible()
        history = page.get_by_role("region", name="Versions")
        expect(history).to_contain_text("Version 2 (current)")
        expect(history).to_contain_text("Corrected the date")
        expect(history.get_by_role("link", name="Download version 1")).to_be_visible()
        expect(preview).to_contain_text("Minutes, corrected")
        assert axe_violations(page) == []
        _no_sideways_scroll(page)

        page.get_by_role("link", name="Documents", exact=True).first.click()
        page.get_by_role("button", name="Shared with you").click()
        # A PDF shows as images of its pages, rendered on the server, one at a time.
        table.get_by_role("link", name="plan.pdf").click()
        first = page.get_by_role("img", name="Page 1 of 2 of plan.pdf")
        expect(first).to_be_visible()
        page.wait_for_function("() => [...document.images].some(i => i.alt.startsWith('Page 1 of 2') && i.complete "
                               "&& i.naturalWidth > 0)")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("img", name="Page 2 of 2 of plan.pdf")).to_be_visible()
        assert axe_violations(page) == []
        _no_sideways_scroll(page)
        page.get_by_role("link", name="Documents", exact=True).first.click()
        page.get_by_role("button", name="Shared with you").click()
        expect(table.get_by_role("link", name="plan.pdf")).to_be_visible()

        staff = staff_ctx.new_page()
        sign_in(staff, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
        staff.goto(portal.url + routes.STAFF_DOCUMENTS)
        share = staff.locator("form", has=staff.get_by_role("heading", name="Share a document"))
        staff.get_by_label("Find an organisation").fill(company)
        expect(staff.get_by_role("group", name="Organisations").get_by_role("checkbox")).to_have_count(1)  # found
        staff.get_by_label(company).check()
        expect(staff.get_by_label(company)).to_be_checked()
        share.get_by_label("File", exact=True).set_input_files(
            {"name": "welcome-pack.pdf", "mimeType": "application/pdf", "buffer": PDF})
        share.get_by_label("Folder").fill("Shared with you")
        share.get_by_role("button", name="Share").click()
        expect(staff.get_by_text("Shared with 1 organisation.")).to_be_visible()
        expect(table.get_by_role("link", name="welcome-pack.pdf")).to_be_visible()  # the customer's page, live
        assert axe_violations(page) == []
        assert axe_violations(staff) == []
        with portal_session(portal) as session:
            org_id = session.exec(select(Organization.id).where(Organization.name == company)).one()
            assert [f.documents for f in documents.list_folders(session, owner, org_id)] == [3]
    finally:
        staff_ctx.close()
        ctx.close()
