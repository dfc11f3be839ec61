"""Times every big list at 200,000 rows against a migrated SQLite file:
200,000 audit events (60,000 in one organisation) and 200,000 people.

For each list it prints p50/p95 of the service call (what a page costs: the
count, capped at 10,000, the page of rows and whatever the page looks up for
its rows) next to
the raw SQL of the page's rows in the same run, for page 1, a middle page and
the last page. The middle and last pages are reached the way the pager
reaches them (`Next` from the page before, `Last`), and once by page number
alone (a bookmarked or hostile page number: no cursor).

    python -m bench.bench_lists [rounds] [database_url]

30 rounds per figure by default, on a SQLite file in a temporary directory;
a database URL (an empty PostgreSQL database) runs it there instead.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.models import AuditEvent, Membership, Organization, User
from portal_app.services import audit, staff
from portal_app.services.principal import OrgRole, Principal

EVENTS = 200_000
IN_BIG_ORG = 60_000
PEOPLE = 200_000
ORGS = 100
BATCH = 20_000
FIRST_NAMES = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine", "Linus",
               "Margaret", "Niklaus", "Radia", "Tim", "Whitfield", "Yukihiro")


def _fill(engine) -> None:
    """Bulk inserts (Core executemany in batches): ORM objects one by one
    would take minutes. Timestamps come 4 to a second, so ties are common."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(Organization.__table__), [
            {"name": f"Company {i:03d}", "slug": f"company-{i:03d}", "created_at": start} for i in range(ORGS)])
        for first in range(0, PEOPLE, BATCH):
            conn.execute(insert(User.__table__), [
                {"email": f"person{i:06d}@example{i % 50}.com",
                 "name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Person{i:06d}", "password_hash": "x",
                 "is_active": True, "created_at": start, "mfa_last_step": 0, "demo_mfa_exempt": False}
                for i in range(first, min(first + BATCH, PEOPLE))])
        conn.execute(insert(Membership.__table__), [
            {"user_id": 1, "org_id": 1, "role": "owner", "created_at": start}])
        for first in range(0, EVENTS, BATCH):
            conn.execute(insert(AuditEvent.__table__), [
                {"occurred_at": start + timedelta(seconds=i // 4), "actor_id": 1 + i % PEOPLE,
                 "actor_label": f"person{i % PEOPLE:06d}@example.com",
                 # 60,000 of 200,000 (3 in 10) in organisation 1, the rest spread over the others
                 "org_id": 1 if i % 10 < 3 else 2 + i % (ORGS - 1), "action": "member.role_changed",
                 "target_type": "user", "target_id": str(1 + (i * 7) % PEOPLE),
                 "target_label": "someone@example.com", "ip": "192.0.2.1", "details": '{"role": "member"}'}
                for i in range(first, min(first + BATCH, EVENTS))])
    # Statistics, and on PostgreSQL the visibility map that lets a count read
    # the index alone (autovacuum does both soon after a bulk load).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


def _timed(call: Callable[[], object], rounds: int) -> tuple[float, float]:
    call()  # warm the statement caches
    timings = []
    for _ in range(rounds):
        begin = time.perf_counter()
        call()
        timings.append(time.perf_counter() - begin)
    timings.sort()
    return statistics.median(timings) * 1e3, timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1e3


def _service(engine, read: Callable[[Session], object]) -> Callable[[], object]:
    def call():
        with Session(engine) as session:
            return read(session)
    return call


def _raw(engine, sql: str, **params) -> Callable[[], object]:
    def call():
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    return call


def _row(label: str, service: tuple[float, float], raw: tuple[float, float], end: str = "") -> None:
    print(f"{label:<44} {service[0]:8.1f} {service[1]:8.1f}   {raw[0]:8.1f} {raw[1]:8.1f}{end}")


def _pages(engine, read, rounds: int, label: str, raw_sql: str, raw_params: dict, rows: int) -> None:
    """Page 1, a middle page reached by Next, the same page by number alone,
    and the last page, each next to the raw SQL of its rows (an OFFSET over
    the rows). The list's `rows` say where its middle and last pages are:
    the pager's count stops at `paging.CAP`."""
    with Session(engine) as session:
        first = read(session, page=1)
    size = len(first.rows)
    pages = -(-rows // size)
    middle = pages // 2
    with Session(engine) as session:
        before_middle = read(session, page=middle - 1)
    raw = lambda page: _raw(engine, raw_sql, limit=size, offset=(page - 1) * size, **raw_params)  # noqa: E731
    _row(f"{label}: page 1 of {pages}", _timed(_service(engine, lambda s: read(s, page=1)), rounds),
         _timed(raw(1), rounds))
    _row(f"{label}: page {middle} by Next",
         _timed(_service(engine, lambda s: read(s, page=middle, cursor=before_middle.cursor)), rounds),
         _timed(raw(middle), rounds))
    _row(f"{label}: page {middle} by number", _timed(_service(engine, lambda s: read(s, page=middle)), rounds),
         _timed(raw(middle), rounds))
    _row(f"{label}: last page ({pages})", _timed(_service(engine, lambda s: read(s, page=pages)), rounds),
         _timed(raw(pages), rounds))


def main(rounds: int = 30, url: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(f"on {url.split(':', 1)[0]}")
        upgrade_to_head(url)
        engine = make_engine(url)
        began = time.perf_counter()
        _fill(engine)
        print(f"filled {EVENTS:,} audit events ({IN_BIG_ORG:,} in one organisation) and {PEOPLE:,} people "
              f"in {time.perf_counter() - began:.1f} s; load average {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} cores")
        owner = Principal(user_id=1, email="owner@example.com", name="Owner", email_verified=True, session_id=None,
                          memberships=(OrgRole(1, "Company 000", "owner"),))
        admin = Principal(user_id=2, email="root@example.com", name="Root", email_verified=True, session_id=None,
                          staff_role="admin", mfa_enabled=True, mfa_required=True)
        print(f"{'ms (' + str(rounds) + ' rounds)':<44} {'p50':>8} {'p95':>8}   {'raw p50':>8} {'raw p95':>8}")
        _pages(engine, lambda s, **kw: audit.list_for_org(s, owner, 1, **kw), rounds, "org audit log",
               "SELECT * FROM audit_events WHERE org_id = :org ORDER BY occurred_at DESC, id DESC "
               "LIMIT :limit OFFSET :offset", {"org": 1}, IN_BIG_ORG)
        _pages(engine, lambda s, **kw: audit.list_all(s, admin, **kw), rounds, "staff audit log",
               "SELECT * FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset", {},
               EVENTS)
        # People are ordered in code-point order on both engines (paging.CodePointOrder).
        postgresql = engine.dialect.name == "postgresql"
        key = 'lower(name) COLLATE "C"' if postgresql else "lower(name)"
        _pages(engine, lambda s, **kw: staff.list_users(s, admin, **kw), rounds, "staff people list",
               f"SELECT id, name, email FROM users ORDER BY {key}, id LIMIT :limit OFFSET :offset", {},
               PEOPLE)
        # The raw search: its two parts written by hand, each ordered and limited, merged.
        by_name = f"{key} >= :p AND {key} < :q"
        by_email = "email LIKE :like" if postgresql else "email >= :p AND email < :q"
        search = (f"SELECT * FROM (SELECT id, name, email, {key} AS k FROM users WHERE {by_name} "
                  f"ORDER BY k, id LIMIT 25) AS by_name UNION ALL "
                  f"SELECT * FROM (SELECT id, name, email, {key} AS k FROM users WHERE {by_email} AND NOT "
                  f"({by_name}) ORDER BY k, id LIMIT 25) AS by_email ORDER BY k, id LIMIT 25")
        for term in ("grace", "person0123", "alan person19"):
            _row(f"people search {term!r}: page 1",
                 _timed(_service(engine, lambda s: staff.list_users(s, admin, query=term)), rounds),
                 _timed(_raw(engine, search, p=term, q=term + "\U0010ffff", like=term + "%"), rounds))
        engine.dispose()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30, sys.argv[2] if len(sys.argv) > 2 else "")
