"""Random secrets handed to a person (in a cookie or a mailed link) of which
the database keeps only a SHA-256 hash, and single-use consumption that holds
even when two requests race with the same token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.models import OneTimeToken
from portal_app.models.base import utcnow

VERIFY_EMAIL = "verify_email"
LOGIN_LINK = "login_link"
PASSWORD_RESET = "password_reset"
LOGIN_TICKET = "login_ticket"
MFA_CHALLENGE = "mfa_challenge"
CHANGE_EMAIL = "change_email"

TOKEN_MAX_LENGTH = 100
TICKET_SEPARATOR = "."  # never in a token_urlsafe secret


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(session: Session, *, user_id: int, purpose: str, ttl: timedelta, secret: str | None = None,
          detail: str | None = None) -> str:
    """Store a new single-use token and return the raw secret (shown once).
    `detail` is what the link is about when the user alone does not say it
    (the new address of an email change); it comes back with `consume`."""
    raw = secret or new_secret()
    session.add(OneTimeToken(user_id=user_id, purpose=purpose, token_hash=hash_secret(raw),
                             expires_at=utcnow() + ttl, detail=detail))
    session.flush()
    return raw


def consume(session: Session, raw: object, purpose: str) -> OneTimeToken | None:
    """Mark the token used and return it, or None when it is unknown, of another
    purpose, expired or already used. The conditional UPDATE makes a second,
    concurrent use find nothing to update."""
    if not isinstance(raw, str) or not raw or len(raw) > TOKEN_MAX_LENGTH:
        return None
    now = utcnow()
    result = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.token_hash == hash_secret(raw), OneTimeToken.purpose == purpose,
               OneTimeToken.used_at.is_(None), OneTimeToken.expires_at > now)
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    return session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == hash_secret(raw))).one()


def find(session: Session, raw: object, purpose: str) -> OneTimeToken | None:
    """The token row whatever its state (used, expired), or None."""
    if not isinstance(raw, str) or not raw or len(raw) > TOKEN_MAX_LENGTH:
        return None
    return session.exec(select(OneTimeToken).where(
        OneTimeToken.token_hash == hash_secret(raw), OneTimeToken.purpose == purpose)).first()


def peek(session: Session, raw: object, purpose: str) -> OneTimeToken | None:
    """The token if it could still be used, without using it (to show a form)."""
    token = find(session, raw, purpose)
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def revoke_unused(session: Session, *, user_id: int, purpose: str) -> None:
    """Retire older links of one kind when a new one is issued or one is used."""
    session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user_id, OneTimeToken.purpose == purpose,
               OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
