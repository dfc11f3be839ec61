"""A quote's PDF over HTTP through the real app, with a real session
cookie: the owner gets an attachment no cache keeps, with the acceptance
record; another organisation, a draft and ids that are not ids get the
same 404; no session is a 401."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from portal_app import routes
from portal_app.services import quotes, sessions
from tests.api.test_invoice_downloads import LOCAL, _as, _attachment
from tests.factories import register, sign_in, staff_admin, staff_member

LINES = [{"description": "Support plan", "quantity": "1", "unit_price": "300.00", "tax_rate": "20"}]


@pytest.fixture
def sent(http_portal):
    client, session = http_portal(LOCAL)
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    raw, ada = sign_in(session)
    _, eve = sign_in(session, "eve@example.com")
    session.commit()
    staff = staff_member(session, staff_admin(session), "billing")
    until = (quotes.today() + timedelta(days=10)).isoformat()
    ids = {}
    for name, org_id in (("ours", ada.current.org_id), ("theirs", eve.current.org_id), ("draft", ada.current.org_id)):
        quote = quotes.do_create_draft(session, staff, org_id, title="Support", lines=LINES, terms="Net 30.",
                                       valid_until=until)
        ids[name] = quote if name == "draft" else quotes.do_send(session, staff, quote.id)
    session.commit()
    quotes.do_accept(session, ada, ids["ours"].id, version=1, full_name="Ada Lovelace", agree=True,
                     ip="198.51.100.7")
    session.commit()
    client.cookies.set(sessions.cookie_name(), raw)
    return {"client": client, "raw": raw, **ids}


def test_the_owner_downloads_the_accepted_quote(sent):
    quote = sent["ours"]
    answer = sent["client"].get(routes.quote_pdf_path(quote.id))
    _attachment(answer, f"{quote.number}.pdf", "application/pdf")
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert quote.number in text and "Net 30." in text and "Ada Lovelace" in text and "198.51.100.7" in text


@pytest.mark.parametrize("which", ["theirs", "draft", "abc", "0", "-1", "99999", "9" * 40])
def test_other_organisations_drafts_and_non_ids_are_not_found(sent, which):
    target = str(sent[which].id) if which in ("theirs", "draft") else which
    answer = sent["client"].get(routes.QUOTE_PDF_API.format(quote_id=target))
    assert answer.status_code == 404 and b"%PDF" not in answer.content


def test_without_a_session_nothing_is_sent(sent):
    answer = _as(sent["client"], None).get(routes.quote_pdf_path(sent["ours"].id))
    assert answer.status_code == 401 and b"%PDF" not in answer.content
