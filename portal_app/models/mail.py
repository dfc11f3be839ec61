"""Outgoing mail, written in the same transaction as the change that causes it
(a transactional outbox): a registration that rolls back sends nothing, and a
mail server that is down loses nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class OutgoingMail(SQLModel, table=True):
    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True, index=True))
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    # No delivery starts before then: set while a job is sending it (so two
    # workers never send it twice) and after a failure (the retry's backoff).
    not_before: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Given up after the last attempt: shown as failed in the staff outbox,
    # where an admin can send it again.
    dead_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Where the recipient stops mail of this kind with one click (RFC 8058):
    # sent as the List-Unsubscribe header. None for mail they asked for
    # (links to confirm, sign in, reset) and for invitations.
    unsubscribe_url: str | None = Field(default=None, max_length=500)
