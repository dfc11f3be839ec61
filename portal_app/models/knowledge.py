"""The knowledge base behind the help centre: articles staff write in
Markdown, sorted into categories, each draft, published or archived, and
seen by everyone (public), by every signed-in customer, or by the members
of chosen organisations (`ArticleOrganization`). Readers say whether an
article helped (`ArticleFeedback`, one vote per signed-in person per
article); searches that found nothing are kept for the staff report
(`KnowledgeSearch`).

Search itself (`services/knowledge.py`): on SQLite an FTS5 table
`knowledge_fts` (rowid = the article's id), on PostgreSQL a table
`knowledge_vectors` (the weighted `tsvector` of the title and
`search_text`, GIN-indexed), both kept in step by the service; both are
made by the migration only, outside these models (alembic/env.py leaves
them out of `alembic check`). `KnowledgeWord` is the
vocabulary of indexed words that typo tolerance picks replacements from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class ArticleCategory(SQLModel, table=True):
    __tablename__ = "article_categories"
    __table_args__ = (Index("ix_article_categories_position", "position", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    slug: str = Field(max_length=90, unique=True)
    position: int = Field(default=0)


class Article(SQLModel, table=True):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_updated", "updated_at", "id"),
        Index("ix_articles_category_status", "category_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=100, unique=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # Markdown, as written
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # body as plain text
    category_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("article_categories.id", ondelete="SET NULL"), nullable=True, index=True))
    status: str = Field(default="draft", max_length=20)  # draft / published / archived
    visibility: str = Field(default="public", max_length=20)  # public / customers / organisations
    author_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    view_count: int = Field(default=0)


class ArticleOrganization(SQLModel, table=True):
    """An organisation that sees an article of visibility "organisations"."""

    __tablename__ = "article_organizations"
    __table_args__ = (Index("ix_article_organizations_org", "org_id", "article_id"),)

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"),
                                             primary_key=True))
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"),
                                         primary_key=True))


class ArticleFeedback(SQLModel, table=True):
    """"Was this helpful?": one row per vote; a signed-in person's vote is
    replaced when they vote again (the unique pair), a visitor's is anonymous."""

    __tablename__ = "article_feedback"
    __table_args__ = (UniqueConstraint("article_id", "user_id", name="uq_article_feedback_article_user"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"),
                                             nullable=False, index=True))
    user_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    helpful: bool = Field(sa_column=Column(Boolean, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class KnowledgeSearch(SQLModel, table=True):
    """A help-centre search that found nothing (the staff report lists them)."""

    __tablename__ = "knowledge_searches"

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


class KnowledgeWord(SQLModel, table=True):
    """One word that occurs in some article's title or text (lower case):
    where typo tolerance finds "invoice" for "invocie". Words are added as
    articles are written and never removed (a stale word only ever leads to
    a search that finds nothing)."""

    __tablename__ = "knowledge_words"
    __table_args__ = (Index("ix_knowledge_words_first_length", "first", "length"),)

    word: str = Field(max_length=40, primary_key=True)
    first: str = Field(max_length=1)
    length: int


class ArticleSuggestionOpen(SQLModel, table=True):
    """A signed-in customer opened an article suggested while they wrote a
    support request (`/help/<slug>?from=ticket`). It counts as a deflection
    when they raised no request between `opened_at` and `decided_at` (30
    minutes later): the staff report reads it so, with no write on the
    ticket side."""

    __tablename__ = "article_suggestion_opens"
    __table_args__ = (Index("ix_article_suggestion_opens_decided", "decided_at"),
                      Index("ix_article_suggestion_opens_user", "user_id", "article_id", "opened_at"))

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
