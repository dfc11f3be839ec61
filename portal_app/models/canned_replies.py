"""Canned replies: answers agents reuse ("Thanks, we are looking into it"),
written by staff admins in Markdown with placeholders such as
`{{customer.first_name}}` (`services/canned_replies.py`), shared by every
agent. Not organisation data: no `org_id`; only staff read them.

The list and the ticket page's menu read them by title (case-insensitive),
then id: the index serves exactly that order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, func
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class CannedReply(SQLModel, table=True):
    __tablename__ = "canned_replies"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    body: str = Field(sa_column=Column(Text, nullable=False))  # Markdown with placeholders, as written
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    updated_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


# The order of the list and the menu (services/canned_replies.py ORDER).
Index("ix_canned_replies_lower_title_id", func.lower(CannedReply.title), CannedReply.id)
