"""Payments and refunds against invoices, recorded by staff (the manual
provider: a bank transfer, a cheque, cash). Card payments through Stripe
will record through the same `_apply`, so an invoice's figures and status
move the same way whoever took the money.

A payment cannot be more than the balance due and a refund cannot be more
than was paid: a typo of an extra zero is refused with the figure it should
not pass, rather than leaving an invoice "paid" twice over."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from portal_app.models import Invoice, Payment
from portal_app.services import audit, invoices, money
from portal_app.services.errors import Invalid
from portal_app.services.formatting import format_money
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text

METHODS = {"bank_transfer": "Bank transfer", "card": "Card", "cash": "Cash", "cheque": "Cheque", "other": "Other"}
REFERENCE_MAX = 100
BACKDATE_DAYS = 366  # how far back a payment's date may be


def _method(value: object) -> str:
    if not isinstance(value, str) or value not in METHODS:
        raise Invalid("Choose how it was paid.", field="method")
    return value


def _received_on(value: object) -> date:
    """The day the money moved ("" is today); not in the future, not over a year ago."""
    day = invoices.today()
    if value in (None, ""):
        return day
    if not isinstance(value, str) or len(value) > 10:
        raise Invalid("Enter the date as a date.", field="received_on")
    try:
        when = date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter the date as a date.", field="received_on") from None
    if when > day:
        raise Invalid("The date cannot be in the future.", field="received_on")
    if when < day - timedelta(days=BACKDATE_DAYS):
        raise Invalid("The date is more than a year ago: check the year.", field="received_on")
    return when


def _issued(session: Session, principal: Principal, invoice_id: object) -> Invoice:
    invoices.check_manage(principal)
    invoice = invoices.lock(session, invoices.access_invoice(session, principal, invoice_id))
    if invoice.kind != "invoice" or invoice.status in ("draft", "void"):
        raise Invalid(f"{invoices.label(invoice)} is not an issued invoice: no payment can be recorded on it.")
    return invoice


def do_record_payment(session: Session, principal: Principal, invoice_id: object, *, amount: object,
                      method: object, reference: object = "", received_on: object = "") -> Payment:
    """Money received for an invoice: up to its balance due."""
    invoice = _issued(session, principal, invoice_id)
    if invoice.status == "paid":
        raise Invalid(f"{invoices.label(invoice)} is paid in full already.")
    value = money.parse_amount(amount, invoice.currency)
    due = invoices.balance(invoice)
    if value > due:
        raise Invalid(f"That is more than the balance due, {format_money(due, invoice.currency)}.", field="amount")
    return _apply(session, principal, invoice, "payment", value, method=_method(method),
                  reference=clean_text(reference, field="reference", label="Reference", max_length=REFERENCE_MAX,
                                       required=False), received_on=_received_on(received_on))


def do_refund(session: Session, principal: Principal, invoice_id: object, *, amount: object, method: object,
              reference: object = "", received_on: object = "") -> Payment:
    """Money given back on an invoice: up to what was paid on it."""
    invoice = _issued(session, principal, invoice_id)
    value = money.parse_amount(amount, invoice.currency)
    if value > invoice.paid:
        raise Invalid(f"That is more than was paid, {format_money(invoice.paid, invoice.currency)}.",
                      field="amount")
    return _apply(session, principal, invoice, "refund", value, method=_method(method),
                  reference=clean_text(reference, field="reference", label="Reference", max_length=REFERENCE_MAX,
                                       required=False), received_on=_received_on(received_on))


def _apply(session: Session, principal: Principal | None, invoice: Invoice, kind: str, amount: int, *,
           method: str, reference: str, received_on: date, stripe_payment_intent_id: str | None = None) -> Payment:
    """Record it, move the invoice's figures and status, and tell its
    organisation's billing people, all in the caller's transaction."""
    payment = Payment(org_id=invoice.org_id, invoice_id=invoice.id, kind=kind, amount=amount,
                      currency=invoice.currency, method=method, reference=reference, received_on=received_on,
                      recorded_by_id=principal.user_id if principal else None,
                      stripe_payment_intent_id=stripe_payment_intent_id)
    session.add(payment)
    invoice.paid += amount if kind == "payment" else -amount
    invoices.settle(invoice, invoices.today())
    session.add(invoice)
    shown = format_money(amount, invoice.currency)
    audit.record(session, "payment.recorded" if kind == "payment" else "payment.refunded", actor=principal,
                 org_id=invoice.org_id, target_type="invoice", target_id=invoice.id,
                 target_label=invoices.label(invoice), details={"amount": shown, "method": METHODS[method]})
    invoices.tell(session, invoice, "invoice_paid", amount=shown,
                  what="Payment received" if kind == "payment" else "Refund made")
    invoices.changed(session, invoice)
    session.flush()
    return payment


def payments_of(session: Session, invoice: Invoice) -> list[Payment]:
    """An invoice's payments and refunds, oldest first (the caller has
    already read the invoice through `access_invoice`)."""
    return list(session.exec(select(Payment).where(Payment.invoice_id == invoice.id)
                             .order_by(Payment.received_on, Payment.id)).all())
