"""Orders from the catalogue: each person's cart, the orders an
organisation places, their lines and their status timeline.

A `CartItem` is one product in one person's cart in one organisation (one
row per organisation, person and product: the cart survives reloads and
other tabs). An `Order` is placed from the cart at the organisation's
prices (or made confirmed from an accepted quote); its lines keep the
figures it was placed at (`money.line_amounts`), so later price changes
never move it. `OrderEvent` rows are its timeline: placed, confirmed,
shipped, delivered, cancelled, who did it and when.

Money is integer minor units plus the order's currency; quantities on a
line are thousandths, like an invoice line's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


class CartItem(SQLModel, table=True):
    """One product in one person's cart in one organisation."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("org_id", "user_id", "product_id", name="uq_cart_items_org_user_product"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    user_id: int = Field(sa_column=_fk("users.id"))
    product_id: int = Field(sa_column=_fk("products.id"))
    quantity: int = Field(default=1)  # whole units
    added_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Order(SQLModel, table=True):
    """One order of an organisation. Lists read one organisation's newest
    first and, for staff, everyone's newest first by status: the indexes
    serve exactly those."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_org_created", "org_id", "created_at", "id"),
        Index("ix_orders_status_created", "status", "created_at", "id"),
        Index("ix_orders_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    number: str = Field(max_length=20, unique=True)  # ORD-2026-0001
    status: str = Field(default="placed", max_length=20)  # services/orders.py STATUSES
    currency: str = Field(max_length=3)
    subtotal: int = Field(default=0)
    tax: int = Field(default=0)
    total: int = Field(default=0)
    po_reference: str = Field(default="", max_length=100)
    delivery_address: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    carrier: str = Field(default="", max_length=100)
    tracking_number: str = Field(default="", max_length=100)
    tracking_url: str = Field(default="", max_length=500)
    cancel_reason: str = Field(default="", max_length=500)
    placed_by_id: int | None = Field(default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL"))
    quote_id: int | None = Field(default=None)  # the accepted quote it came from, if any
    invoice_id: int | None = Field(default=None, sa_column=_fk("invoices.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class OrderLine(SQLModel, table=True):
    """One line: `quantity` in thousandths, the unit price in minor units,
    tax and discount in basis points; `net` and `tax` are its rounded amounts."""

    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_order", "order_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=_fk("orders.id"))
    product_id: int | None = Field(default=None, sa_column=_fk("products.id", nullable=True, ondelete="SET NULL"))
    description: str = Field(max_length=500)
    quantity: int = Field(default=1000)
    unit_price: int = Field(default=0)
    tax_rate: int = Field(default=0)
    discount: int = Field(default=0)
    net: int = Field(default=0)
    tax: int = Field(default=0)


class OrderEvent(SQLModel, table=True):
    """One step of an order's timeline."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=_fk("orders.id"))
    status: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(default="", max_length=200)  # who, as shown ("Alice Owner", "Our team")
    note: str = Field(default="", max_length=1000)
