"""Rate limits, all kept in one table of counters per key.

- Guessing (login, links, resets): each key may fail a few times freely,
  then waits a delay that doubles with every further failure (`check`,
  `record_failure`). Keys are an account's email hash and a client IP; an
  unknown email is throttled exactly like a known one, so limits reveal
  nothing.
- Sending mail on someone's behalf (invitations, staff accounts): at most so
  many per person and per organisation in an hour (`spend`), so a stolen or
  careless account cannot turn the portal into a spam cannon."""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from portal_app.db import write_lock
from portal_app.models import Throttle
from portal_app.models.base import utcnow
from portal_app.services.errors import ErrorCode, PortalError


class RateLimited(PortalError):
    code = ErrorCode.RATE_LIMITED
    http_status = 429

    def __init__(self, retry_after: int, reason: str = "Too many attempts.") -> None:
        wait = f"{retry_after} seconds" if retry_after < 120 else f"{math.ceil(retry_after / 60)} minutes"
        if retry_after >= 120:
            at = utcnow() + timedelta(seconds=retry_after)
            wait += f" (until {at:%H:%M} UTC)"
        super().__init__(f"{reason} Please wait {wait} and try again.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    free: int  # failures allowed before any delay
    base_delay: timedelta
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Quota:
    """At most `limit` uses in a window that starts with the first use."""

    limit: int
    window: timedelta = timedelta(hours=1)


PER_ACCOUNT = Limit(free=5, base_delay=timedelta(seconds=30))
PER_IP = Limit(free=20, base_delay=timedelta(seconds=30))
INVITATIONS_PER_PERSON = Quota(20)
INVITATIONS_PER_ORG = Quota(50)
STAFF_INVITES_PER_PERSON = Quota(20)


def account_key(action: str, email: str) -> str:
    return f"{action}:acct:{hashlib.sha256(email.lower().encode()).hexdigest()[:40]}"


def ip_key(action: str, ip: str) -> str:
    return f"{action}:ip:{ip[:64]}"


def person_key(action: str, user_id: int) -> str:
    return f"{action}:user:{user_id}"


def org_key(action: str, org_id: int) -> str:
    return f"{action}:org:{org_id}"


def check(session: Session, keys: list[tuple[str, Limit]]) -> None:
    """Raise `RateLimited` when any key is still waiting out its delay."""
    now = utcnow()
    waits = []
    for key, _limit in keys:
        row = session.get(Throttle, key)
        if row and row.locked_until and row.locked_until > now:
            waits.append(math.ceil((row.locked_until - now).total_seconds()))
    if waits:
        raise RateLimited(max(waits))


def record_failure(session: Session, keys: list[tuple[str, Limit]]) -> None:
    """Count a failure; past the free allowance, lock the key for a doubling
    delay. The row is created or locked first, so two failures at the same
    moment both count (neither trips over the other's new row)."""
    now = utcnow()
    for key, limit in keys:
        row = _locked_row(session, key, now)
        if now - row.updated_at > limit.forget_after:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.updated_at = now
        excess = row.failures - limit.free
        if excess > 0:
            delay = min(limit.base_delay * (2 ** min(excess - 1, 20)), limit.max_delay)
            row.locked_until = now + delay
        session.add(row)
    session.flush()


def counted(error: PortalError, keys: list[tuple[str, Limit]]) -> PortalError:
    """`error`, carrying one failure on `keys`. Raise it: the caller's
    transaction boundary rolls the action back and then commits the count on
    its own (`PortalError.keeping`), so a wrong guess counts however the
    action ends and nothing the action wrote is committed with it."""
    return error.keeping(functools.partial(record_failure, keys=keys))


def clear(session: Session, keys: list[str]) -> None:
    """Forget failures after a success."""
    for key in keys:
        row = session.get(Throttle, key)
        if row is not None:
            session.delete(row)
    session.flush()


def _locked_row(session: Session, key: str, now: datetime) -> Throttle:
    """The counter for `key`, created if missing and locked until the
    transaction ends (on SQLite: the write lock), so two requests at once cannot both take the last use."""
    write_lock(session)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Throttle).values(key=key, failures=0, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["key"]))
    return session.get(Throttle, key, with_for_update=True, populate_existing=True)


def spend(session: Session, keys: list[tuple[str, Quota]], *, reason: str) -> None:
    """Count one use on every key, or raise `RateLimited` (counting nothing)
    when any key has used up its quota. `failures` counts uses in the window,
    `updated_at` is when the window began, `locked_until` when a full one ends.
    Call it after validating and before writing: refused input uses nothing,
    and a rolled-back action gives its use back."""
    now = utcnow()
    rows = []
    waits = []
    for key, quota in keys:
        row = _locked_row(session, key, now)
        if now - row.updated_at >= quota.window:
            row.failures, row.updated_at, row.locked_until = 0, now, None
        if row.failures >= quota.limit:
            waits.append(math.ceil((row.updated_at + quota.window - now).total_seconds()))
        rows.append((row, quota))
    if waits:
        raise RateLimited(max(waits), reason)
    for row, quota in rows:
        row.failures += 1
        if row.failures >= quota.limit:
            row.locked_until = row.updated_at + quota.window
        session.add(row)
    session.flush()
