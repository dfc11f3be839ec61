"""Identity: the customer organisations (users, memberships and sessions join
them in the accounts landing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class Organization(SQLModel, table=True):
    """A customer company; every customer-owned row points at one."""

    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
