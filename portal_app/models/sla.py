"""Service levels for support requests: the targets per priority (the
instance's defaults, optionally overridden for one organisation) and the
business calendar they are counted in (opening hours per weekday, holidays).
The clocks themselves live on each `Ticket` (`services/sla.py`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel


class SlaPolicy(SQLModel, table=True):
    """The targets for one priority, in business minutes: the first staff
    reply and the resolution. `org_id` NULL is the instance's default; a row
    with an organisation overrides the default for that organisation."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_org_priority", "org_id", "priority", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True))
    priority: str = Field(max_length=10)  # services/tickets.py PRIORITIES
    first_response_minutes: int
    resolution_minutes: int


class BusinessHours(SQLModel, table=True):
    """When the support team works on one weekday (0 Monday … 6 Sunday), in
    minutes after local midnight (`PORTAL_TIMEZONE`); closed when NULL."""

    __tablename__ = "sla_business_hours"

    weekday: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    opens_minute: int | None = Field(default=None, nullable=True)
    closes_minute: int | None = Field(default=None, nullable=True)


class Holiday(SQLModel, table=True):
    """A day the team does not work (a bank holiday), whatever the weekday."""

    __tablename__ = "sla_holidays"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(sa_column=Column(Date, nullable=False, unique=True))
    name: str = Field(max_length=80)
