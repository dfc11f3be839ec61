"""The catalogue and what customers have from it: products and plans,
customer price lists, and subscriptions with their metered usage.

A `Product` is sold once ("one_off": a router, a set-up fee) or recurs
("recurring", monthly or yearly: a support plan, hosting). Its price is per
unit in minor units of the product's currency; a recurring product may add a
usage price per metered unit (`usage_unit_price`, e.g. per GB). Staff track
stock of a one-off product when `stock` is not None.

Customer price lists: an organisation either gets its own price for a
product (`CustomerPrice`), else the catalogue price less the organisation's
`catalogue_discount` (basis points on `Organization`), else the catalogue
price (`services/catalogue.py` `price_for` is the one rule).

A `Subscription` is one organisation's recurring product: quantity, the
unit price agreed when it started (price changes in the catalogue do not
move it), the current period, status (active, paused, cancelled) and a
cancellation at the period's end with its reason. `UsageRecord` rows are
metered quantities per subscription and day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, Text, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


class Product(SQLModel, table=True):
    """Something the business sells, one-off or recurring."""

    __tablename__ = "products"
    __table_args__ = (Index("ix_products_active_name", "active", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    sku: str = Field(max_length=40, unique=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    kind: str = Field(default="one_off", max_length=20)  # one_off / recurring
    interval: str = Field(default="", max_length=10)  # "" (one-off) / month / year
    currency: str = Field(max_length=3)
    unit_price: int = Field(default=0)
    tax_rate: int = Field(default=0)  # basis points
    usage_unit: str = Field(default="", max_length=30)  # "GB", "API call": "" when not metered
    usage_unit_price: int = Field(default=0)  # per usage unit, minor units
    pausable: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    stock: int | None = Field(default=None)  # None: not tracked
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class CustomerPrice(SQLModel, table=True):
    """One organisation's own price for one product."""

    __tablename__ = "customer_prices"
    __table_args__ = (UniqueConstraint("org_id", "product_id", name="uq_customer_prices_org_product"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    product_id: int = Field(sa_column=_fk("products.id"))
    unit_price: int


class Subscription(SQLModel, table=True):
    """An organisation's recurring product. `next_renewal` is the first day
    of the next period (the day its invoice is made)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_org_status", "org_id", "status"),
        Index("ix_subscriptions_status_renewal", "status", "next_renewal"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    product_id: int = Field(sa_column=_fk("products.id", ondelete="RESTRICT"))
    quantity: int = Field(default=1)
    unit_price: int  # agreed when it started (or last changed), minor units
    currency: str = Field(max_length=3)
    status: str = Field(default="active", max_length=20)  # active / paused / cancelled
    started_on: date = Field(sa_column=Column(Date, nullable=False))
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    next_renewal: date = Field(sa_column=Column(Date, nullable=False))
    cancel_at_period_end: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    cancel_reason: str = Field(default="", max_length=40)
    cancel_comment: str = Field(default="", max_length=1000)
    ended_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    # The renewal day the last reminder was for: claimed with a conditional
    # UPDATE, so each period's reminder goes once however many runs at once.
    reminded_for: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    contract_file_id: int | None = Field(default=None, sa_column=_fk("stored_files.id", nullable=True,
                                                                      ondelete="SET NULL"))
    # The accepted quote it was started from: its PDF, with the acceptance
    # record, is the service's contract (None: started by staff).
    quote_id: int | None = Field(default=None, sa_column=_fk("quotes.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class UsageRecord(SQLModel, table=True):
    """A metered quantity of one subscription on one day (staff or the API record it)."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_records_subscription_day", "subscription_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscriptions.id"))
    day: date = Field(sa_column=Column(Date, nullable=False))
    quantity: int  # thousandths of the product's usage unit
    recorded_by_id: int | None = Field(default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
