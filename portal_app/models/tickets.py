"""Support requests ("tickets"): what a customer asked, the conversation
about it (public replies and staff-only internal notes), who follows it, and
the categories staff sort them into.

The lists read tickets of one organisation newest activity first, by status,
by who raised them, and (for staff) everything by activity: the indexes
serve exactly those. `number` is the readable "T-1042", one sequence for the
whole instance (`services/numbering.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, Text, false, func, true
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


class TicketCategory(SQLModel, table=True):
    """What a request is about ("Billing question", "Something is broken").
    `billing` ones are also seen by an organisation's billing members;
    `allows_priority` lets the customer choose a priority."""

    __tablename__ = "ticket_categories"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=300)
    allows_priority: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    billing: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    position: int = Field(default=0)


class TicketField(SQLModel, table=True):
    """One question of a category's intake form ("Which product?", a select).
    `options` is a JSON list of the choices for a select; an `internal` field
    is for agents only (never shown to or asked of customers). A question is
    never deleted: removing it clears `active`, so new requests no longer
    ask it while the old ones keep showing their answers under its label
    (`services/ticket_forms.py`)."""

    __tablename__ = "ticket_fields"
    __table_args__ = (Index("ix_ticket_fields_category_position", "category_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket_categories.id", ondelete="CASCADE"),
                                              nullable=False))
    label: str = Field(max_length=80)
    kind: str = Field(max_length=20)  # services/tickets.py FIELD_KINDS
    required: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    help_text: str = Field(default="", max_length=200)
    options: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    internal: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    position: int = Field(default=0)


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_org_activity", "org_id", "last_activity_at", "id"),
        Index("ix_tickets_org_status", "org_id", "status"),
        Index("ix_tickets_raised_by", "raised_by_id"),
        Index("ix_tickets_activity", "last_activity_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False))
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket_categories.id"), nullable=False))
    subject: str = Field(max_length=200)
    status: str = Field(max_length=20)  # services/tickets.py STATUSES
    priority: str = Field(max_length=10)  # services/tickets.py PRIORITIES
    raised_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    assignee_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True))
    # A duplicate merged into another ticket of its organisation (services/ticket_merge.py): closed, and
    # pointing there. Both go together when the organisation is deleted, so no ON DELETE rule is needed
    # (SQLite adds a column with one in place, but SQLAlchemy does not read it back: `alembic check`).
    merged_into_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("tickets.id"), nullable=True, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    last_activity_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Service-level clocks (services/sla.py). The clocks run while the ticket
    # is "open" (with us): `sla_running_since` is when this stretch began,
    # `sla_used_minutes` the business minutes used before it. The due times
    # are set only while running (the first response's until it is met);
    # `sla_at_risk_at` is when less than PORTAL_SLA_AT_RISK_PERCENT of a
    # pending target is left. The periodic job flags at-risk and breached
    # once each (`sla_at_risk_notified_at`, `sla_breached_at`).
    first_response_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    resolution_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    first_responded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sla_running_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sla_used_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    sla_at_risk_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sla_at_risk_notified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sla_breached_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))



# The ticket list's search matches a piece of the subject anywhere (LIKE
# '%printer%'): PostgreSQL answers that from a trigram index (pg_trgm, a
# trusted extension the migration creates) instead of reading every subject
# of the organisation; SQLite reads them (bench/bench_tickets.py).
Index("ix_tickets_subject_trgm", func.lower(Ticket.subject).label("subject_key"), postgresql_using="gin",
      postgresql_ops={"subject_key": "gin_trgm_ops"}).ddl_if(dialect="postgresql")

class TicketMessage(SQLModel, table=True):
    """One entry of the conversation, Markdown as written (rendered safely
    when shown). `internal` notes are the staff's only: every reader filters
    them out for customers in SQL (`services.tickets.messages_visible_to`)."""

    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_ticket_created", "ticket_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    author_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    internal: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class TicketAnswer(SQLModel, table=True):
    """The answer to one intake-form question on one ticket, as text."""

    __tablename__ = "ticket_answers"

    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True))
    field_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket_fields.id", ondelete="CASCADE"),
                                           primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))


class TicketAttachment(SQLModel, table=True):
    """A stored file (`StoredFile`, kind "attachment") attached to one entry
    of a conversation; a file is attached once. Who may read it follows the
    ticket (`services.tickets.check_attachment`)."""

    __tablename__ = "ticket_attachments"

    message_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket_messages.id", ondelete="CASCADE"),
                                             primary_key=True))
    file_id: int = Field(sa_column=Column(Integer, ForeignKey("stored_files.id", ondelete="CASCADE"),
                                          primary_key=True, unique=True))


class TicketFollower(SQLModel, table=True):
    """Someone of the organisation who follows a ticket: sees it and hears
    about replies to it."""

    __tablename__ = "ticket_followers"

    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                          index=True))

