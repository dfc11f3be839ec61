"""Notifications: what the in-app centre lists for one person ("Ada changed
your role in Acme to admin"), and each person's choice, per event type, of
where such news reaches them (in the portal, by email, both or not at all).

A person's rows are read by two queries on every page load (the bell's
unread count) and by the list, newest first: the two indexes serve exactly
those, (user_id, read_at) and (user_id, created_at)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One thing that happened, told to one person. `target` is a path of
    our own pages (`routes.py`), never a URL from input; `title` is plain
    text, never markup."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    # The organisation it is about, if any (gone with the organisation).
    org_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True, index=True))
    event: str = Field(max_length=40)
    title: str = Field(max_length=300)
    target: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class NotificationPreference(SQLModel, table=True):
    """A person's channel for one event type; no row means the event type's
    default (`services.notifications.EVENTS`)."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    event: str = Field(max_length=40, primary_key=True)
    channel: str = Field(max_length=10)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
