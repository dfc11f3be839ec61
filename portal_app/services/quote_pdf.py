"""One quote as a PDF, for whoever may see it: built from
`quote_lists.quote_view` (which authorises through `access_quote`), so the PDF
shows what the quote's page shows.

Layout: the branded header, who it is for, the terms, the lines and
totals, the validity, and once accepted an "Accepted" block with the
typed name, the time (UTC), the address, the version, the content's
SHA-256 and the drawn signature, if any."""

from __future__ import annotations

import io

from sqlmodel import Session

from portal_app.models import Organization
from portal_app.services import quote_lists
from portal_app.services.invoice_pdf import LINE_ALIGN, LINE_HEADINGS, LINE_WIDTHS, customer_lines
from portal_app.services.pdf import Document
from portal_app.services.principal import Principal

STAMPS = {"accepted": "ACCEPTED", "declined": "DECLINED", "expired": "EXPIRED"}
SIGNATURE_WIDTH = 60  # mm


def filename(view: quote_lists.QuoteView) -> str:
    return f"{view.label}.pdf" if view.label.startswith("QUO-") else f"draft-quote-{view.id}.pdf"


def render_quote(session: Session, principal: Principal, quote_id: object) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one quote `principal` may see; NotFound otherwise."""
    view = quote_lists.quote_view(session, principal, quote_id)
    org = session.get(Organization, view.org_id)
    doc = Document(f"Quote {view.label}")
    doc.branded_header("Quote", [("Number", view.label), ("Version", str(view.version)),
                                 ("Valid until", view.valid_until), ("Status", view.status_word)],
                       stamp=STAMPS.get(view.status, ""))
    doc.block("FOR", customer_lines(org))
    if view.title:
        doc.line_of(view.title, size=12, bold=True)
        doc.ln(2)
    doc.block("TERMS", [view.terms])
    doc.grid(LINE_HEADINGS, [(line.description + (f" ({line.recurring.lower()})" if line.recurring else "")
                              + (f" (less {line.discount})" if line.discount else ""),
                              line.quantity, line.unit_price, line.tax_rate, line.net) for line in view.lines],
             widths=LINE_WIDTHS, align=LINE_ALIGN)
    doc.figures([("Subtotal", view.subtotal), ("Tax", view.tax), ("Total", view.total)], strong=("Total",))
    doc.ln(2)
    doc.line_of(f"This quote is valid until {view.valid_until}.", size=9)
    doc.ln(3)
    if view.status == "accepted":
        doc.block("ACCEPTED", [f"Accepted by: {view.accepted_name}", f"At: {view.accepted_at}",
                               f"From address: {view.accepted_ip or 'unknown'}",
                               f"Version: {view.accepted_version}", f"Content hash (SHA-256): {view.accepted_hash}"])
        if view.signature_png:
            try:
                doc.image(io.BytesIO(view.signature_png), w=SIGNATURE_WIDTH)
            except Exception:  # noqa: BLE001 — the record above stands without the picture
                doc.line_of("(The drawn signature could not be printed.)", size=9)
    elif view.status == "declined":
        doc.block("DECLINED", [view.decline_reason, view.decline_comment])
    return filename(view), doc.output_bytes()
