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


QUOTA = throttle.Quota(3, window=timedelta(hours=1))


def test_a_quota_allows_its_uses_then_names_when_to_come_back(session):
    keys = [("q", QUOTA)]
    for _ in range(3):
        throttle.spend(session, keys, reason="Too many things.")
    with pytest.raises(throttle.RateLimited) as err:
        throttle.spend(session, keys, reason="Too many things.")
    assert 3500 < err.value.retry_after <= 3600 and err.value.http_status == 429
    assert err.value.message.startswith("Too many things. Please wait 60 minutes (until ")
    assert err.value.message.endswith(" UTC) and try again.")
    assert session.get(Throttle, "q").failures == 3  # the refused use is not counted


def test_a_quota_window_ends_and_counting_starts_again(session):
    keys = [("q", QUOTA)]
    for _ in range(3):
        throttle.spend(session, keys, reason="x")
    row = session.get(Throttle, "q")
    row.updated_at = utcnow() - timedelta(hours=1, seconds=1)
    session.add(row)
    throttle.spend(session, keys, reason="x")
    assert session.get(Throttle, "q").failures == 1


def test_a_full_key_refuses_and_counts_nothing_on_the_others(session):
    throttle.spend(session, [("full", throttle.Quota(1))], reason="x")
    with pytest.raises(throttle.RateLimited):
        throttle.spend(session, [("other", QUOTA), ("full", throttle.Quota(1))], reason="x")
    assert session.get(Throttle, "other").failures == 0


def test_quotas_work_on_postgresql_too(any_engine):
    from sqlmodel import Session

    with Session(any_engine) as session:
        for _ in range(3):
            throttle.spend(session, [("q", QUOTA)], reason="x")
        session.commit()
        with pytest.raises(throttle.RateLimited):
            throttle.spend(session, [("q", QUOTA)], reason="x")
