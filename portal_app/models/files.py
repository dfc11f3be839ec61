"""Private files: what the storage holds (under `key`, a random name) and
what we know about it. The organisation owns it; what it is attached to
(a logo, a ticket, a document) points here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_org_id_kind", "org_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=30)  # services/files.py KINDS: what it is for, its limits and who may see it
    key: str = Field(max_length=200, unique=True)
    filename: str = Field(max_length=255)  # as the person named it; shown and sent, never used as a path
    content_type: str = Field(max_length=100)  # found from the bytes, never from the name or the browser
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
