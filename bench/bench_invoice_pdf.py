"""How long one invoice PDF takes to draw, against a migrated SQLite file:
`invoice_pdf.render_invoice` (the access check, the invoice's page data,
the font, ten lines, totals, payment instructions) for its owner, next to
a bare fpdf2 document of one line in the same font (and in the core
font, which shows what loading and subsetting the TTF costs), p50/p95 in ms.

    python -m bench.bench_invoice_pdf [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from fpdf import FPDF
from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.models import Invoice, InvoiceLine, Organization, Payment
from portal_app.services import invoice_pdf, money, pdf
from portal_app.services.principal import OrgRole, Principal

LINES = 10
OWNER = Principal(user_id=1, email="owner@example.com", name="Owner", email_verified=True, session_id=None,
                  memberships=(OrgRole(1, "Ours", "owner"),))


def _timed(call: Callable[[], object], rounds: int) -> tuple[float, float]:
    call()  # warm: imports, the font files in the page cache
    timings = []
    for _ in range(rounds):
        begin = time.perf_counter()
        call()
        timings.append(time.perf_counter() - begin)
    timings.sort()
    return statistics.median(timings) * 1e3, timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1e3


def _invoice(engine) -> int:  # noqa: ANN001
    with Session(engine) as session:
        session.add(Organization(id=1, name="Ours", slug="ours", legal_name="Ours Trading Ltd",
                                 address="9 Harbour Road\nBristol BS1 4QA", tax_id="GB999000111"))
        invoice = Invoice(org_id=1, number="INV-2026-0001", status="partially_paid", currency="GBP",
                          issue_date=date(2026, 3, 2), due_date=date(2026, 4, 1), memo="Thank you")
        session.add(invoice)
        session.flush()
        subtotal = tax = 0
        for i in range(LINES):
            net, line_tax = money.line_amounts(1500, 8000 + i, 2000)
            session.add(InvoiceLine(invoice_id=invoice.id, position=i, quantity=1500, unit_price=8000 + i,
                                    tax_rate=2000, net=net, tax=line_tax,
                                    description=f"Consulting, week {i + 1}: " + "reviewing the ledgers " * (i % 4)))
            subtotal, tax = subtotal + net, tax + line_tax
        invoice.subtotal, invoice.tax, invoice.total, invoice.paid = subtotal, tax, subtotal + tax, 10000
        session.add(Payment(org_id=1, invoice_id=invoice.id, amount=10000, currency="GBP", method="cash",
                            received_on=date(2026, 3, 10)))
        session.commit()
        return invoice.id


def _bare(*, core: bool = False) -> bytes:
    doc = FPDF()
    fonts = None if core else pdf.unicode_fonts()
    if fonts:
        doc.add_font("body", "", str(fonts[0]))
        doc.set_font("body", size=10)
    else:
        doc.set_font("helvetica", size=10)
    doc.add_page()
    doc.cell(0, 5, "Invoice INV-2026-0001")
    return bytes(doc.output())


def main(rounds: int = 50) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_to_head(url)
        engine = make_engine(url)
        invoice_id = _invoice(engine)

        def render() -> bytes:
            with Session(engine) as session:
                return invoice_pdf.render_invoice(session, OWNER, invoice_id)[1]

        size = len(render())
        figures = {"render_invoice": _timed(render, rounds), "bare fpdf2, one line": _timed(_bare, rounds),
                   "bare, core font": _timed(lambda: _bare(core=True), rounds)}
        engine.dispose()
    font = "DejaVu Sans" if pdf.unicode_fonts() else "Helvetica (core)"
    print(f"invoice PDF ({LINES} lines, {font}, {size:,} bytes), {rounds} renders:")
    for name, (p50, p95) in figures.items():
        print(f"  {name:<22} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    ratio = figures["render_invoice"][0] / figures["bare fpdf2, one line"][0]
    print(f"  ratio (p50)            {ratio:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
