"""Invoice and credit-note PDFs, read back with pypdf: what the customer
was sent (number, who it is for, lines, totals, how to pay), for whoever
may see the invoice and nobody else; text printed as text; every currency
sign printed, with DejaVu Sans and with the core-font fallback."""

from __future__ import annotations

import io

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import Session

from portal_app.models import Organization
from portal_app.services import invoice_pdf, invoices, payments, pdf
from portal_app.services.errors import NotFound
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import join

LINES = [{"description": "Support plan, November", "quantity": "1", "unit_price": "120.00", "tax_rate": "20"},
         {"description": "Extra hours", "quantity": "2.5", "unit_price": "80", "tax_rate": "20", "discount": "10"}]
HOSTILE = '<script>alert(1)</script> **bold** [x](javascript:alert(1)) =SUM(A1)'
LONG = ("Migration of the accounting archive " + "with verification of every ledger " * 10 + "ENDOFLINE").strip()


def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict[str, Principal]:
    return seeded(engine, _people)


@pytest.fixture
def branded(monkeypatch):
    monkeypatch.setenv("PORTAL_NAME", "Acme Widgets")
    monkeypatch.setenv("PORTAL_BANK_DETAILS", "Acme Bank\\nSort code 12-34-56\\nAccount 12345678")
    monkeypatch.setenv("PORTAL_BUSINESS_ADDRESS", "1 Widget Way\\nLeeds LS1 1AA")
    monkeypatch.setenv("PORTAL_BUSINESS_TAX_ID", "GB123456789")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()  # the environment first, then the settings read from it
    get_settings.cache_clear()


def _ours(people) -> int:
    return people["owner"].current.org_id


def _issued(session: Session, staff: Principal, org_id: int, lines=LINES, memo="Thank you") -> invoices.Invoice:
    draft = invoices.do_create_draft(session, staff, org_id, lines=lines, memo=memo)
    invoice = invoices.do_issue(session, staff, draft.id)
    session.commit()
    return invoice


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _squashed(text: str) -> str:
    """The text without line breaks and spaces (a wrapped line reads as one)."""
    return "".join(text.split())


def _profile(session: Session, org_id: int, **values) -> None:
    session.execute(update(Organization).where(Organization.id == org_id).values(**values))
    session.commit()


def test_an_invoice_prints_the_business_the_customer_lines_totals_and_how_to_pay(session, org, branded) -> None:
    _profile(session, _ours(org), legal_name="Ours Trading Ltd", address="9 Harbour Road\nBristol BS1 4QA",
             tax_id="GB999000111")
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        invoice = _issued(session, org["staff"], _ours(org))
        name, data = invoice_pdf.render_invoice(session, org["owner"], invoice.id)
    assert name == "INV-2026-0001.pdf"
    text = _text(data)
    for expected in ("Acme Widgets", "1 Widget Way", "Leeds LS1 1AA", "GB123456789",  # the business
                     "Ours Trading Ltd", "9 Harbour Road", "Bristol BS1 4QA", "GB999000111",  # the customer
                     "INV-2026-0001", "2 Mar 2026", "1 Apr 2026",  # number, issued, due
                     "Support plan, November", "Extra hours", "2.5", "£80.00", "20 %", "£180.00",  # lines
                     "£300.00", "£60.00", "£360.00",  # subtotal, tax, total
                     "Acme Bank", "Sort code 12-34-56", "Reference: INV-2026-0001", "Thank you"):
        assert expected in text, expected
    assert "PAID" not in text


def test_the_name_is_used_when_there_is_no_legal_name(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    text = _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])
    assert "Ours" in text and "Theirs" not in text


def test_a_paid_invoice_is_marked_paid_and_asks_for_nothing(session, org, branded) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    payments.do_record_payment(session, org["staff"], invoice.id, amount="360.00", method="bank_transfer")
    session.commit()
    text = _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])
    assert "PAID" in text and "£360.00" in text
    assert "Reference:" not in text and "Acme Bank" not in text
    assert "Balance due" in text and "£0.00" in text


def test_a_part_payment_and_a_credit_show_and_the_balance_is_what_is_left(session, org, branded) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    payments.do_record_payment(session, org["staff"], invoice.id, amount="100", method="cash")
    note = invoices.do_credit(session, org["staff"], invoice.id, amount="60", reason="Goodwill <b>discount</b>")
    session.commit()
    text = _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])
    assert "£100.00" in text and "£60.00" in text and "£200.00" in text  # paid, credited, balance
    assert f"Reference: {invoice.number}" in text
    name, data = invoice_pdf.render_invoice(session, org["owner"], note.id)
    assert name == f"{note.number}.pdf" and name.startswith("CN-")
    credit = _text(data)
    assert f"Credit note {note.number}" in credit or ("Credit note" in credit and note.number in credit)
    assert invoice.number in credit and "£60.00" in credit and "Goodwill <b>discount</b>" in credit
    assert "Reference:" not in credit


def test_a_void_invoice_is_marked_void_with_its_reason(session, org, branded) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    invoices.do_void(session, org["staff"], invoice.id, reason="Raised twice")
    session.commit()
    text = _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])
    assert "VOID" in text and "Raised twice" in text and "Reference:" not in text


def test_hostile_and_long_text_prints_literally_and_wraps(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org), memo="# Not a heading\n<a href='x'>link</a>",
                      lines=[{"description": HOSTILE, "unit_price": "1"}, {"description": LONG, "unit_price": "2"}])
    text = _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])
    flat = _squashed(text)
    assert _squashed(HOSTILE) in flat
    assert "# Not a heading" in text and _squashed("<a href='x'>link</a>") in flat
    assert _squashed(LONG) in flat  # every word, though wrapped over several lines
    assert "ENDOFLINE" in text


@pytest.mark.parametrize("currency, price, shown", [("EUR", "1234.50", "€1,234.50"), ("JPY", "12000", "JP¥12,000"),
                                                    ("GBP", "99.99", "£99.99")])
def test_every_currency_sign_prints(session, org, currency, price, shown) -> None:
    _profile(session, _ours(org), currency=currency)
    invoice = _issued(session, org["staff"], _ours(org), lines=[{"description": "Plan", "unit_price": price}])
    assert shown in _text(invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])


@pytest.mark.parametrize("currency, price, shown", [("EUR", "1234.50", "€1,234.50"), ("JPY", "12000", "¥12,000"),
                                                    ("GBP", "99.99", "£99.99")])
def test_without_a_unicode_font_the_core_font_still_prints_pound_euro_and_yen(session, org, monkeypatch, currency,
                                                                             price, shown) -> None:
    monkeypatch.setattr(pdf, "FONT_DIRS", ())  # a system without DejaVu
    _profile(session, _ours(org), currency=currency, legal_name="Łódź Wytwórnia Sp. z o.o. ☃")
    invoice = _issued(session, org["staff"], _ours(org), lines=[{"description": "Plan ✓ für Café", "unit_price": price}])
    data = invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1]
    assert b"DejaVu" not in data and b"Helvetica" in data
    text = _text(data)
    assert shown in text
    assert "Plan ? für Café" in text and "Lódz Wytwórnia Sp. z o.o. ?" in text, text  # the nearest letters, never an error


def test_the_logo_is_drawn_when_it_is_a_png(session, org, monkeypatch, tmp_path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), (200, 30, 30)).save(logo)
    fake = tmp_path / "logo-fake.png"
    fake.write_bytes(b"<svg onload=alert(1)></svg>")
    invoice = _issued(session, org["staff"], _ours(org))
    counts = {}
    for path in (logo, fake):
        monkeypatch.setenv("PORTAL_LOGO", str(path))
        get_settings.cache_clear()
        data = invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1]
        counts[path.name] = len(PdfReader(io.BytesIO(data)).pages[0].images)
    monkeypatch.undo()
    get_settings.cache_clear()
    assert counts == {"logo.png": 1, "logo-fake.png": 0}


def test_only_those_who_may_see_the_invoice_get_its_pdf(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    draft = invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES)
    session.commit()
    for person, wanted in ((org["theirs"], invoice.id), (org["member"], invoice.id), (org["owner"], draft.id),
                           (org["owner"], "1"), (org["owner"], 0), (org["owner"], 2**63), (org["owner"], None)):
        with pytest.raises(NotFound):
            invoice_pdf.render_invoice(session, person, wanted)
    assert invoice_pdf.render_invoice(session, org["staff"], draft.id)[0] == f"draft-{draft.id}.pdf"



def test_a_hundred_lines_run_over_pages_with_the_headings_repeated(session, org) -> None:
    lines = [{"description": f"Item {i:03d}: " + "a long description of the work " * 3, "unit_price": "1"}
             for i in range(invoices.LINES_MAX)]
    invoice = _issued(session, org["staff"], _ours(org), lines=lines)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(
        invoice_pdf.render_invoice(session, org["owner"], invoice.id)[1])).pages]
    assert len(pages) >= 3
    assert all(f"page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert all("Description" in page for page in pages if "Item " in page)  # the headings, on every page of lines
    assert "Item 000" in pages[0] and any("Item 099" in page for page in pages[-2:])
    assert "£100.00" in pages[-1] and "Reference: INV-" in pages[-1]
