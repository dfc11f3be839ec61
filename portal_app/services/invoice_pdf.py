"""One invoice or credit note as a PDF, for whoever may see it: built from
`invoices.invoice_view` (which authorises through `access_invoice`), so the
PDF shows exactly what the invoice's page shows, figures already formatted.

Layout: the business's branded header (`services/pdf.py`), who it is for,
the dates, the lines, the totals with what was paid and credited, how to
pay when something is owed, and the note. A paid or void invoice says so
in large letters."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.models import Organization
from portal_app.services import invoices
from portal_app.services.pdf import Document
from portal_app.services.principal import Principal

STAMPS = {"paid": "PAID", "void": "VOID"}
LINE_HEADINGS = ("Description", "Qty", "Unit price", "Tax", "Net")
LINE_WIDTHS = (46, 9, 17, 9, 19)  # shares of the page width
LINE_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def filename(view: invoices.InvoiceView) -> str:
    """"INV-2026-0001.pdf" (a draft, which has no number: "draft-<id>.pdf")."""
    return f"{view.label}.pdf" if view.label.startswith(("INV-", "CN-")) else f"draft-{view.id}.pdf"


def customer_lines(org: Organization | None) -> list[str]:
    """Who the document is for: the legal name (or the name), the address,
    the tax id."""
    if org is None:
        return []
    return [org.legal_name or org.name, org.address, f"Tax ID: {org.tax_id}" if org.tax_id else ""]


def render_invoice(session: Session, principal: Principal, invoice_id: object) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one invoice or credit note `principal` may
    see; NotFound otherwise (as for its page)."""
    view = invoices.invoice_view(session, principal, invoice_id)
    org = session.get(Organization, view.org_id)
    credit_note = view.kind == "credit_note"
    title = f"Credit note {view.label}" if credit_note else f"Invoice {view.label}"
    doc = Document(title)
    facts = [("Number", view.label), ("Issued", view.issued or "not yet")]
    if credit_note:
        facts += [("Credits", label) for _, label, _ in view.related]
    else:
        facts.append(("Due", view.due or "not yet"))
        facts.append(("Status", view.status_word))
    doc.branded_header("Credit note" if credit_note else "Invoice", facts, stamp=STAMPS.get(view.status, ""))

    doc.block("BILL TO" if not credit_note else "CREDIT TO", customer_lines(org))
    if view.status == "void" and view.void_reason:
        doc.line_of(f"This invoice was voided: {view.void_reason}", bold=True)
        doc.ln(2)

    # A credit note's one line carries the tax split in the invoice's proportion, not a rate.
    doc.grid(LINE_HEADINGS, [(line.description + (f" (less {line.discount})" if line.discount else ""),
                              line.quantity, line.unit_price, "" if credit_note else line.tax_rate, line.net)
                             for line in view.lines],
             widths=LINE_WIDTHS, align=LINE_ALIGN)

    rows = [("Subtotal", view.subtotal), ("Tax", view.tax), ("Total", view.total)]
    if not credit_note:
        rows += [("Paid", view.paid), ("Credited", view.credited), ("Balance due", view.balance)]
    doc.figures(rows, strong=("Total", "Balance due"))
    doc.ln(4)

    if not credit_note and view.status in invoices.UNPAID and view.balance_minor:
        doc.block("HOW TO PAY", [f"Please pay {view.balance} by {view.due}." if view.due else "",
                                 view.bank_details, f"Reference: {view.label}"])
    if credit_note:
        related = ", ".join(label for _, label, _ in view.related)
        doc.block("CREDIT", [f"This credit note credits {related}." if related else "", view.memo])
    elif view.memo:
        doc.block("NOTE", [view.memo])
    return filename(view), doc.output_bytes()
