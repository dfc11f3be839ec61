"""The audit log: one row per state-changing action, written in the same
transaction as the change, so a change without its record cannot exist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    # The two readers' filters and order (newest first, the id breaking ties):
    # an organisation's log walks the first, the staff log the second; a page
    # is a short walk of either, and so is a count (services/paging.py).
    __table_args__ = (
        Index("ix_audit_events_org_occurred", "org_id", "occurred_at", "id"),
        Index("ix_audit_events_occurred", "occurred_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # Who: kept as a label too, so the record survives the person's deletion.
    actor_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True))
    actor_label: str = Field(default="", max_length=254)
    # Where: None for events about a person rather than an organisation.
    org_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True))
    action: str = Field(max_length=60, index=True)
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=40)
    target_label: str = Field(default="", max_length=254)
    ip: str = Field(default="", max_length=64)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False))
