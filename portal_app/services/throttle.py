"""Rate limits for guessing (login, links, resets): each key may fail a few
times freely, then waits a delay that doubles with every further failure.
Keys are an account's email hash and a client IP; an unknown email is
throttled exactly like a known one, so limits reveal nothing."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from portal_app.models import Throttle
from portal_app.models.base import utcnow
from portal_app.services.errors import PortalError


class RateLimited(PortalError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        wait = f"{retry_after} seconds" if retry_after < 120 else f"{math.ceil(retry_after / 60)} minutes"
        super().__init__(f"Too many attempts. Please wait {wait} and try again.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    free: int  # failures allowed before any delay
    base_delay: timedelta
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


PER_ACCOUNT = Limit(free=5, base_delay=timedelta(seconds=30))
PER_IP = Limit(free=20, base_delay=timedelta(seconds=30))


def account_key(action: str, email: str) -> str:
    return f"{action}:acct:{hashlib.sha256(email.lower().encode()).hexdigest()[:40]}"


def ip_key(action: str, ip: str) -> str:
    return f"{action}:ip:{ip[:64]}"


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
    """Count a failure; past the free allowance, lock the key for a doubling delay."""
    now = utcnow()
    for key, limit in keys:
        row = session.get(Throttle, key)
        if row is None:
            row = Throttle(key=key, failures=0, updated_at=now)
        elif now - row.updated_at > limit.forget_after:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.updated_at = now
        excess = row.failures - limit.free
        if excess > 0:
            delay = min(limit.base_delay * (2 ** min(excess - 1, 20)), limit.max_delay)
            row.locked_until = now + delay
        session.add(row)
    session.flush()


def clear(session: Session, keys: list[str]) -> None:
    """Forget failures after a success."""
    for key in keys:
        row = session.get(Throttle, key)
        if row is not None:
            session.delete(row)
    session.flush()
