"""Satisfaction ratings ("CSAT"): once a support request is resolved or
closed, a customer who sees it rates it 1 to 5 with an optional plain-text
comment (`services/csat.py`). One rating per request (the request's id is
the key); changing it overwrites the score and comment and keeps who rated
first (`rated_by_id`, `rated_at`) apart from the last change
(`changed_by_id`, `changed_at`).

The staff's report reads ratings by when they were last given, newest first:
the index serves exactly that (`changed_at`, then the request's id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, SmallInteger, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class TicketRating(SQLModel, table=True):
    __tablename__ = "ticket_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="ck_ticket_ratings_score"),
        Index("ix_ticket_ratings_changed", "changed_at", "ticket_id"),
    )

    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True))
    score: int = Field(sa_column=Column(SmallInteger, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # plain text
    rated_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    rated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    changed_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
