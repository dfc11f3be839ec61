"""A quote's PDF: pypdf reads back its terms, lines and totals, and once
accepted the record (name, time in UTC, address, version, content hash)
and the drawn signature's image; another organisation's is not found."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal_app.services import quote_lists, quote_pdf
from portal_app.services.errors import NotFound
from tests.services.test_quotes import _accept, _data_url, _people, _png, _sent


@pytest.fixture
def org(engine, seeded, session) -> dict:
    return seeded(engine, _people)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_sent_quote_prints_its_terms_lines_and_totals(session, org) -> None:
    quote = _sent(session, org, terms="Payment within 30 days of delivery.")
    name, data = quote_pdf.render_quote(session, org["owner"], quote.id)
    text = _text(data)
    assert name == f"{quote.number}.pdf"
    assert quote.number in text and "Payment within 30 days of delivery." in text
    assert "Plan ROUTER" in text and "£348.00" in text and "Accepted by" not in text


def test_an_accepted_quote_prints_the_record_and_the_signature(session, org) -> None:
    quote = _sent(session, org)
    accepted = _accept(session, org, quote.id, full_name="Olive Owner", signature=_data_url(_png(120, 40)))
    session.commit()
    name, data = quote_pdf.render_quote(session, org["billing"], quote.id)
    text = _text(data)
    assert "ACCEPTED" in text and "Accepted by: Olive Owner" in text and "203.0.113.9" in text
    assert accepted.accepted_at.strftime("%Y-%m-%d %H:%M:%S UTC") in text
    assert accepted.accepted_hash in text.replace("\n", "")
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(page.images) for page in reader.pages) >= 1  # the drawn signature


def test_another_organisation_gets_not_found(session, org) -> None:
    quote = _sent(session, org)
    with pytest.raises(NotFound):
        quote_pdf.render_quote(session, org["theirs"], quote.id)
    with pytest.raises(NotFound):
        quote_pdf.render_quote(session, org["member"], quote.id)
    assert quote_lists.quote_view(session, org["agent"], quote.id).label == quote.number  # staff read it
