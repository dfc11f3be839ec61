"""The document library: an organisation's folders (each seen by every
member, or by chosen roles), the documents in them, and every version of a
document, each one a private file (`stored_files`) the organisation owns.

A version is never changed or removed on its own: a new upload adds the
next number and the document points at it (`current_version`); deleting a
document removes all of its versions and their files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class Folder(SQLModel, table=True):
    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_folders_org_id_name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False))
    name: str = Field(max_length=100)
    # "all" (every member), or the roles that see it, comma-separated ("owner,admin,billing").
    audience: str = Field(default="all", max_length=60)
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("folder_id", "name", name="uq_documents_folder_id_name"),
                      Index("ix_documents_org_id", "org_id"))

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False))
    folder_id: int = Field(sa_column=Column(Integer, ForeignKey("folders.id", ondelete="CASCADE"), nullable=False))
    name: str = Field(max_length=255)
    current_version: int = Field(default=1)
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    updated_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class DocumentVersion(SQLModel, table=True):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_versions_document_id_number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"),
                                              nullable=False))
    number: int  # 1, 2, ... in the order uploaded
    file_id: int = Field(sa_column=Column(Integer, ForeignKey("stored_files.id", ondelete="CASCADE"),
                                          nullable=False, unique=True))
    note: str = Field(default="", max_length=500)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    content_type: str = Field(max_length=100)
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
