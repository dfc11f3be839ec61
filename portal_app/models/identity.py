"""Identity: organisations, the people who sign in, what joins them, and the
server-side records that make a login (sessions, one-time tokens, throttles).

Secrets are never stored: sessions and one-time links keep only the SHA-256 of
their random token, passwords only their argon2 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, false, func, text
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow


def _when(nullable: bool = False) -> Column:
    return Column(UTCDateTime, nullable=nullable)


def _fk(target: str, nullable: bool = False, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


class Organization(SQLModel, table=True):
    """A customer company; every customer-owned row points at one."""

    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    require_mfa: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    # The profile shown on invoices and to staff.
    legal_name: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    address: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    tax_id: str = Field(default="", max_length=50, sa_column_kwargs={"server_default": ""})
    billing_email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    logo_key: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # Support: every member sees all of the organisation's tickets (otherwise
    # members see the ones they raised or follow; owners and admins see all).
    tickets_open_to_members: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Billing: the currency its invoices are in ("" is the instance's,
    # PORTAL_CURRENCY), and whether plain members see invoices too (owners,
    # admins and billing members always do).
    currency: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    invoices_open_to_members: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Its discount on the catalogue, in basis points (1000 is 10 %), for
    # products it has no price of its own for (models/catalogue.py).
    catalogue_discount: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Card payments: its customer at Stripe (made when someone first saves a
    # card), whose saved cards are the organisation's. One per organisation,
    # and never shared: unique (the index below).
    stripe_customer_id: str | None = Field(default=None, max_length=255)


Index("uq_organizations_stripe_customer_id", Organization.stripe_customer_id, unique=True)


class User(SQLModel, table=True):
    """A person who signs in. The email is stored lower-cased, so it is unique
    however it was typed."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    email_verified_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    # TOTP: secrets are encrypted with a key derived from the instance secret;
    # `mfa_last_step` is the last accepted 30-second step, so a code is never
    # accepted twice.
    mfa_secret: str | None = Field(default=None, max_length=255)
    mfa_pending_secret: str | None = Field(default=None, max_length=255)
    mfa_enabled_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    mfa_last_step: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Staff of the business (admin, agent, billing) work in the back office;
    # customers have None here and belong to organisations instead.
    staff_role: str | None = Field(default=None, max_length=20)
    # Staff must use two-step verification. Only the demo seeding sets this, so
    # a newcomer can try the back office with the printed password alone.
    demo_mfa_exempt: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


# The people list's order (by name in any case, the id breaking ties), which
# also answers the staff search for a name's start (services/staff.py). In
# code-point order on both engines (services/paging.py `CodePointOrder`), so
# the list is in the same order everywhere and a prefix is a range of this
# index whatever the server's collation: SQLite's binary collation is that
# order already; on PostgreSQL the index is C-collated. The collation is
# given as the expression's option (rendered after it, `lower(name) COLLATE
# "C"`), not in the expression: PostgreSQL's catalog keeps an index column's
# collation apart from its expression and SQLAlchemy does not reflect it, so
# `alembic check` compares the expression alone (as for text_pattern_ops).
# On PostgreSQL name is INCLUDEd: it answers from an expression index alone
# only when the columns the expression reads are in it (a page by number
# walks the keys, services/paging.py).
Index("ix_users_lower_name_id", func.lower(User.name).label("name_key"), User.id, postgresql_include=["name"],
      postgresql_ops={"name_key": 'COLLATE "C"'})
# The search for an email address's start: the unique index on email answers
# its range on SQLite; PostgreSQL answers LIKE 'prefix%' from a btree index
# only in the C collation, or from a text_pattern_ops one, this one.
Index("ix_users_email_prefix", User.email, postgresql_ops={"email": "text_pattern_ops"}).ddl_if(dialect="postgresql")


class RecoveryCode(SQLModel, table=True):
    """A single-use MFA fallback; only its keyed hash is stored."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    code_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    used_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class Membership(SQLModel, table=True):
    """A person's role in one organisation: owner, admin, billing or member."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_id", name="uq_membership_user_org"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    org_id: int = Field(sa_column=_fk("organizations.id"))
    role: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())


class LoginSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random token; this row holds
    its hash, so a copy of the database signs nobody in."""

    __tablename__ = "login_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    revoked_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    # The organisation this browser works in (a person may belong to several).
    active_org_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True))


class Invitation(SQLModel, table=True):
    """An offer to join an organisation with a role, sent to an email address
    and accepted through a single-use link by the person owning that address."""

    __tablename__ = "invitations"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(sa_column=_fk("organizations.id"))
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    invited_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    accepted_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class OneTimeToken(SQLModel, table=True):
    """A single-use secret for a link or hand-over: email verification, sign-in
    link, password reset, email change, and the 60-second login ticket."""

    __tablename__ = "one_time_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    used_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    # What the link is about when the user alone does not say it: the new
    # address of an email change (the link goes to that address).
    detail: str | None = Field(default=None, max_length=254)


class Throttle(SQLModel, table=True):
    """Failures counted per key (an account's email hash or a client IP), so
    guessing gets slower the more it fails, across processes."""

    __tablename__ = "throttles"

    key: str = Field(primary_key=True, max_length=120)
    failures: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_when())
