"""Invoice PDFs and statements over HTTP through the real app, with a real
session cookie: the owner gets an attachment no cache keeps; another
organisation, a draft and ids that are not ids get the same 404; no
session is a 401; a plain member a 403."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from portal_app import routes
from portal_app.services import invoices, payments, sessions
from tests.factories import register, sign_in, staff_admin, staff_member
from tests.permissions import join

LOCAL = "http://localhost:3000"
LINES = [{"description": "Support plan", "quantity": "1", "unit_price": "300.00", "tax_rate": "20"}]


@pytest.fixture
def billing(http_portal):
    """Ada's organisation with one issued invoice (£100 paid) and a draft;
    Eve's with one invoice; a plain member of Ada's; Ada signed in."""
    client, session = http_portal(LOCAL)
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    raw, ada = sign_in(session)
    eve_raw, eve = sign_in(session, "eve@example.com")
    session.commit()
    staff = staff_member(session, staff_admin(session), "billing")
    member = join(session, ada, "mem@example.com", "member", "Mem Ber")
    member_raw, _ = sign_in(session, "mem@example.com")
    ids = {}
    for name, org_id in (("ours", ada.current.org_id), ("theirs", eve.current.org_id)):
        draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
        ids[name] = invoices.do_issue(session, staff, draft.id)
    payments.do_record_payment(session, staff, ids["ours"].id, amount="100", method="cash")
    ids["draft"] = invoices.do_create_draft(session, staff, ada.current.org_id, lines=LINES)
    session.commit()
    client.cookies.set(sessions.cookie_name(), raw)
    return {"client": client, "ada": ada, "eve": eve, "eve_raw": eve_raw, "member_raw": member_raw, **ids,
            "member": member}


def _as(client, raw: str | None):
    client.cookies.clear()
    if raw:
        client.cookies.set(sessions.cookie_name(), raw)
    return client


def _attachment(answer, name: str, media: str) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    assert answer.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]


def test_the_owner_downloads_the_invoice_pdf(billing):
    invoice = billing["ours"]
    answer = billing["client"].get(routes.invoice_pdf_path(invoice.id))
    _attachment(answer, f"{invoice.number}.pdf", "application/pdf")
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert invoice.number in text and "£360.00" in text and "£260.00" in text  # total, balance due


@pytest.mark.parametrize("which", ["theirs", "draft", "abc", "0", "-1", "1e3", "99999", "9" * 19, "9" * 40])
def test_other_organisations_drafts_and_non_ids_are_not_found(billing, which):
    target = str(billing[which].id) if which in ("theirs", "draft") else which
    answer = billing["client"].get(routes.INVOICE_PDF_API.format(invoice_id=target))
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
    assert b"%PDF" not in answer.content


def test_without_a_session_nothing_is_sent(billing):
    client = _as(billing["client"], None)
    answer = client.get(routes.invoice_pdf_path(billing["ours"].id))
    assert answer.status_code == 401 and b"%PDF" not in answer.content
    for fmt in ("pdf", "csv"):
        refused = client.get(routes.STATEMENT_API, params={"org": billing["ada"].current.org_id, "format": fmt})
        assert refused.status_code == 401 and b"%PDF" not in refused.content
    assert _as(client, "not-a-session").get(routes.invoice_pdf_path(billing["ours"].id)).status_code == 401


def test_a_plain_member_is_refused(billing):
    client = _as(billing["client"], billing["member_raw"])
    assert client.get(routes.invoice_pdf_path(billing["ours"].id)).status_code == 404  # not among what they see
    answer = client.get(routes.STATEMENT_API, params={"org": billing["ada"].current.org_id})
    assert answer.status_code == 403 and answer.json()["code"] == "role_required"


def test_the_statement_as_pdf_and_csv(billing):
    client, org_id, invoice = billing["client"], billing["ada"].current.org_id, billing["ours"]
    day = invoice.issue_date.isoformat()
    answer = client.get(routes.STATEMENT_API, params={"org": org_id, "since": day, "until": day})
    _attachment(answer, f"statement-{day}-{day}.pdf", "application/pdf")
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "Statement of account" in text and invoice.number in text and "£260.00" in text
    assert billing["theirs"].number not in text
    answer = client.get(routes.STATEMENT_API, params={"org": org_id, "since": day, "until": day, "format": "csv"})
    _attachment(answer, f"statement-{day}-{day}.csv", "text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[-1][1:] == ["Closing balance", "", "", "360.00", "100.00", "260.00", "GBP"]


def test_the_statement_refuses_bad_input_and_other_organisations(billing):
    client, org_id = billing["client"], billing["ada"].current.org_id
    for org in (billing["eve"].current.org_id, "abc", "0", "", "9" * 40):
        answer = client.get(routes.STATEMENT_API, params={"org": org})
        assert answer.status_code == 404 and b"%PDF" not in answer.content
    bad = client.get(routes.STATEMENT_API, params={"org": org_id, "since": "2026-02-30"})
    assert bad.status_code == 422 and bad.json()["field"] == "since"
    backwards = client.get(routes.STATEMENT_API, params={"org": org_id, "since": "2026-03-01", "until": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "until"
    fmt = client.get(routes.STATEMENT_API, params={"org": org_id, "format": "html"})
    assert fmt.status_code == 422 and fmt.json()["field"] == "format"
