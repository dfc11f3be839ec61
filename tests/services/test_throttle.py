"""The growing delay after repeated failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.models import Throttle
from portal_app.models.base import utcnow
from portal_app.services import throttle

LIMIT = throttle.Limit(free=2, base_delay=timedelta(seconds=10), max_delay=timedelta(seconds=60))


def _delay(session, key) -> float:
    row = session.get(Throttle, key)
    return round((row.locked_until - row.updated_at).total_seconds())


def test_delay_doubles_after_the_free_failures_and_is_capped(session):
    keys = [("k", LIMIT)]
    throttle.record_failure(session, keys)
    throttle.record_failure(session, keys)
    throttle.check(session, keys)  # two free failures: no wait yet
    delays = []
    for _ in range(5):
        throttle.record_failure(session, keys)
        delays.append(_delay(session, "k"))
    assert delays == [10, 20, 40, 60, 60]
    with pytest.raises(throttle.RateLimited) as err:
        throttle.check(session, keys)
    assert 0 < err.value.retry_after <= 60 and err.value.http_status == 429


def test_old_failures_are_forgotten(session):
    keys = [("k", LIMIT)]
    for _ in range(3):
        throttle.record_failure(session, keys)
    row = session.get(Throttle, "k")
    row.updated_at = utcnow() - timedelta(hours=2)
    row.locked_until = None
    session.add(row)
    throttle.record_failure(session, keys)
    assert session.get(Throttle, "k").failures == 1
