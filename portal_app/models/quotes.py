"""Quotes: what the business offers an organisation, in versions, and the
customer's answer to it.

A `Quote` is the thing the customer answers: its number (QUO-2026-0001,
given when it is first sent, from the gap-free sequence of
`services/numbering.py`), its status (draft, sent, changes_requested,
accepted, declined; "expired" is not stored: a sent quote whose current
version's `valid_until` has passed is shown as expired and cannot be
accepted), which version is current, and the acceptance record (who typed
which name, when, from which address, the hash of the version they saw and
an optional drawn signature).

A `QuoteVersion` holds what was offered: terms, validity, currency, totals
and `content_hash`, the SHA-256 of a canonical JSON of all of it and its
lines (`services/quotes.py` `content_hash`). Revising makes a new version;
old ones stay, with the customer's request for changes that led to the
next one. `QuoteLine` rows follow the invoice lines' scheme (quantity in
thousandths, rates in basis points, net and tax rounded per line), with the
catalogue product a line may name."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


class Quote(SQLModel, table=True):
    """One quote of one organisation."""

    __tablename__ = "quotes"
    __table_args__ = (
        Index("ix_quotes_org_created", "org_id", "created_at", "id"),
        Index("ix_quotes_status_created", "status", "created_at", "id"),
        Index("ix_quotes_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    number: str | None = Field(default=None, max_length=20, unique=True)
    title: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=20)  # services/quotes.py STATUSES
    version: int = Field(default=1)  # the current version's number
    currency: str = Field(max_length=3)
    created_by_id: int | None = Field(default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # The acceptance record (printed on the PDF).
    accepted_name: str = Field(default="", max_length=200)
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    accepted_ip: str = Field(default="", max_length=64)
    accepted_hash: str = Field(default="", max_length=64)
    accepted_version: int | None = Field(default=None)
    accepted_by_id: int | None = Field(default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL"))
    signature_png: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # A refusal.
    decline_reason: str = Field(default="", max_length=40)
    decline_comment: str = Field(default="", max_length=1000)
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # What accepting made: the first invoice.
    invoice_id: int | None = Field(default=None, sa_column=_fk("invoices.id", nullable=True, ondelete="SET NULL"))


class QuoteVersion(SQLModel, table=True):
    """One version of a quote: what was offered, frozen once sent."""

    __tablename__ = "quote_versions"
    __table_args__ = (UniqueConstraint("quote_id", "number", name="uq_quote_versions_quote_number"),)

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(sa_column=_fk("quotes.id"))
    number: int = Field(default=1)
    terms: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    valid_until: date = Field(sa_column=Column(Date, nullable=False))
    currency: str = Field(max_length=3)
    subtotal: int = Field(default=0)
    tax: int = Field(default=0)
    total: int = Field(default=0)
    content_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # The customer's request for changes to this version (which led to the next one).
    change_request: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class QuoteLine(SQLModel, table=True):
    """One line of one version, as `InvoiceLine`, with the catalogue product it may name."""

    __tablename__ = "quote_lines"
    __table_args__ = (Index("ix_quote_lines_version_position", "version_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_fk("quote_versions.id"))
    position: int = Field(default=0)
    product_id: int | None = Field(default=None, sa_column=_fk("products.id", nullable=True, ondelete="SET NULL"))
    description: str = Field(max_length=500)
    quantity: int = Field(default=1000)
    unit_price: int = Field(default=0)
    tax_rate: int = Field(default=0)
    discount: int = Field(default=0)
    net: int = Field(default=0)
    tax: int = Field(default=0)
