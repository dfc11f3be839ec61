"""Invoices, credit notes and the payments recorded against them.

Money is integer minor units (pence, cents; yen have none) plus the ISO
currency of the document: never floats. A line's amounts are worked out
once, when it is saved (`services/invoices.py` `line_amounts`), and stored,
so a PDF printed years later shows the very figures the customer was sent.

A credit note is an `Invoice` row of kind "credit_note" pointing at the
invoice it credits (`credit_for_id`); its total lowers that invoice's
balance. `number` is empty while a document is a draft and is given once,
when it is issued, from a gap-free sequence per kind and year
(INV-2026-0042, CN-2026-0003; `services/numbering.py`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


def _org() -> Column:
    return Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)


def _person() -> Column:
    return Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class Invoice(SQLModel, table=True):
    """One invoice or credit note of an organisation. `paid` is what has been
    received (payments less refunds), `credited` what credit notes took off;
    the balance due is `total - paid - credited`. The lists read one
    organisation's documents newest first, by status; the overdue job reads
    unpaid ones by due date; the staff list reads everyone's newest created
    first: the indexes serve exactly those."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_org_issued", "org_id", "issue_date", "id"),
        Index("ix_invoices_org_status", "org_id", "status", "issue_date"),
        Index("ix_invoices_status_due", "status", "due_date"),
        Index("ix_invoices_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_org())
    kind: str = Field(default="invoice", max_length=20)  # invoice / credit_note
    number: str | None = Field(default=None, max_length=20, unique=True)
    status: str = Field(default="draft", max_length=20)  # services/invoices.py STATUSES
    currency: str = Field(max_length=3)
    credit_for_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=True, index=True))
    issue_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    subtotal: int = Field(default=0)  # the lines' net amounts, after their discounts
    tax: int = Field(default=0)
    total: int = Field(default=0)
    paid: int = Field(default=0)
    credited: int = Field(default=0)
    memo: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    void_reason: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, sa_column=_person())
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    voided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # The overdue job's reminders: how many went out, so a job that runs twice
    # sends each one once.
    reminders_sent: int = Field(default=0)


class InvoiceLine(SQLModel, table=True):
    """One line: `quantity` in thousandths (1.5 hours is 1500), the unit
    price in minor units, tax and discount rates in basis points (20 % is
    2000). `net` and `tax` are this line's rounded amounts."""

    __tablename__ = "invoice_lines"
    __table_args__ = (Index("ix_invoice_lines_invoice_position", "invoice_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoices.id", ondelete="CASCADE"),
                                             nullable=False))
    position: int = Field(default=0)
    description: str = Field(max_length=500)
    quantity: int = Field(default=1000)
    unit_price: int = Field(default=0)
    tax_rate: int = Field(default=0)
    discount: int = Field(default=0)
    net: int = Field(default=0)
    tax: int = Field(default=0)


class Payment(SQLModel, table=True):
    """Money received for an invoice (kind "payment") or given back
    ("refund"); `amount` is always positive, in the invoice's currency."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_org_received", "org_id", "received_on", "id"),
        Index("ix_payments_invoice", "invoice_id", "id"),
        Index("uq_payments_stripe_payment_intent_id", "stripe_payment_intent_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_org())
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoices.id", ondelete="CASCADE"),
                                             nullable=False))
    kind: str = Field(default="payment", max_length=20)  # payment / refund
    amount: int
    currency: str = Field(max_length=3)
    method: str = Field(max_length=20)  # services/payments.py METHODS
    reference: str = Field(default="", max_length=100)
    received_on: date = Field(sa_column=Column(Date, nullable=False))
    recorded_by_id: int | None = Field(default=None, sa_column=_person())
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # A card payment's Stripe PaymentIntent: unique, so the same charge can
    # never be recorded twice (by the payer's request and by the webhook).
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255)
