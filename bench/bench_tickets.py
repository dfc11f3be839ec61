"""Support at scale (issue 13): one organisation with 100,000 tickets and
1,000,000 messages (10 a ticket, every fifth an internal note), beside 20
other organisations with 20,000 more, against a migrated SQLite file (or an
empty PostgreSQL database).

For each read a person does most it prints p50/p95 of the service call (what
the page costs, through the access helper) next to the raw SQL of the same
rows in the same run, and the number of SQL statements the service call
issued, once at 10,000 tickets and again at the full size: the count must not
grow with the data.

    python -m bench.bench_tickets [rounds] [database_url]

The help-centre search joins this bench when the knowledge base lands.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import event, insert
from sqlmodel import Session

from bench.bench_lists import _raw, _row, _service, _timed
from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.models import Membership, Organization, Ticket, TicketMessage, User
from portal_app.services import ticket_lists, tickets
from portal_app.services.principal import OrgRole, Principal

BIG_ORG_TICKETS = 100_000
OTHER_TICKETS = 20_000
OTHER_ORGS = 20
MESSAGES_PER_TICKET = 10
FIRST_STAGE = 10_000  # statements are counted here too, to show they do not grow
BATCH = 20_000
RAISERS = 200  # customers of the big organisation who raise its tickets
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SUBJECTS = ("Printer on floor {n} keeps jamming", "Invoice {n} shows the wrong amount", "VPN drops every {n} minutes",
            "Cannot sign in to the mailbox of desk {n}", "Please add {n} seats to our plan",
            "Website form {n} returns an error", "Backup job {n} failed overnight", "New starter {n} needs a laptop")
# A desk years old: most requests closed, 2 % still active (1 % open, 1 % waiting),
# so 2,000 active requests in the big organisation.
STATUS_CYCLE = ("closed",) * 44 + ("resolved",) * 4 + ("open", "waiting")
PRIORITY_CYCLE = ("normal", "normal", "low", "high", "normal", "urgent")
AGENTS = (3, 4, 5)  # staff user ids

OWNER = Principal(user_id=1, email="owner@big.example.com", name="Owner", email_verified=True, session_id=None,
                  memberships=(OrgRole(1, "Big Co", "owner"),))
MEMBER = Principal(user_id=10, email="raiser0000@big.example.com", name="Raiser 0", email_verified=True,
                   session_id=None, memberships=(OrgRole(1, "Big Co", "member"),))
AGENT = Principal(user_id=3, email="agent3@portal.example.com", name="Agent 3", email_verified=True, session_id=None,
                  staff_role="agent", mfa_enabled=True, mfa_required=True)


def _fill_people(conn) -> None:
    conn.execute(insert(Organization.__table__), [
        {"name": "Big Co" if i == 0 else f"Company {i:03d}", "slug": f"org-{i:03d}", "created_at": START,
         "tickets_open_to_members": False} for i in range(OTHER_ORGS + 1)])
    people = [{"email": "owner@big.example.com", "name": "Owner"}, {"email": "admin@big.example.com", "name": "Admin"}]
    people += [{"email": f"agent{n}@portal.example.com", "name": f"Agent {n}", "staff_role": "agent"} for n in AGENTS]
    people += [{"email": f"filler{n}@example.com", "name": f"Filler {n}"} for n in range(6, 10)]
    people += [{"email": f"raiser{n:04d}@big.example.com", "name": f"Raiser {n}"} for n in range(RAISERS)]
    conn.execute(insert(User.__table__), [
        {"password_hash": "x", "is_active": True, "created_at": START, "mfa_last_step": 0, "demo_mfa_exempt": False,
         "staff_role": None, **p} for p in people])
    conn.execute(insert(Membership.__table__), [
        {"user_id": 1, "org_id": 1, "role": "owner", "created_at": START},
        *({"user_id": 10 + n, "org_id": 1, "role": "member", "created_at": START} for n in range(RAISERS))])


def _ticket(i: int) -> dict:
    """Ticket i (0-based): the first BIG_ORG_TICKETS in organisation 1."""
    status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
    at = START + timedelta(minutes=3 * i)
    return {"number": tickets.FIRST_NUMBER + i, "org_id": 1 if i < BIG_ORG_TICKETS else 2 + i % OTHER_ORGS,
            "category_id": 1 + i % 4, "subject": SUBJECTS[i % len(SUBJECTS)].format(n=i % 97), "status": status,
            "priority": PRIORITY_CYCLE[i % len(PRIORITY_CYCLE)], "raised_by_id": 10 + i % RAISERS,
            "assignee_id": None if i % 5 == 0 else AGENTS[i % len(AGENTS)], "created_at": at,
            "last_activity_at": at + timedelta(minutes=90), "sla_used_minutes": 0,
            "resolved_at": at + timedelta(hours=5) if status in ("resolved", "closed") else None,
            "closed_at": at + timedelta(days=3) if status == "closed" else None,
            "first_responded_at": at + timedelta(minutes=40)}


def _fill_tickets(engine, first: int, last: int) -> None:
    """Tickets first..last-1 (their ids are i + 1) and their messages, in
    batches (Core executemany: ORM objects would take many minutes)."""
    with engine.begin() as conn:
        for start in range(first, last, BATCH):
            end = min(start + BATCH, last)
            conn.execute(insert(Ticket.__table__), [_ticket(i) for i in range(start, end)])
            big = [i for i in range(start, end) if i < BIG_ORG_TICKETS]
            if not big:
                continue
            conn.execute(insert(TicketMessage.__table__), [
                {"ticket_id": i + 1, "author_id": (10 + i % RAISERS) if m % 2 == 0 else AGENTS[m % 3],
                 "body": f"Message {m} about request {i}: the details, what we tried and what happens next. " * 2,
                 "internal": m % 5 == 4, "created_at": START + timedelta(minutes=3 * i + 9 * m)}
                for i in big for m in range(MESSAGES_PER_TICKET)])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


class StatementCounter:
    """How many SQL statements one call issues (the engine's own event)."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:  # noqa: ANN002
        self.count += 1

    def of(self, call: Callable[[], object]) -> int:
        before = self.count
        call()
        return self.count - before


def _reads(engine) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """(label, service call, raw SQL of the same rows) for every read timed."""
    lists = lambda who, **kw: _service(engine, lambda s: ticket_lists.list_tickets(s, who, **kw))  # noqa: E731
    page = "ORDER BY last_activity_at DESC, id DESC LIMIT 25"
    columns = "SELECT number, subject, status, priority, last_activity_at FROM tickets"
    queue_counts = ("SELECT sum(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), "
                    "sum(CASE WHEN assignee_id = 3 THEN 1 ELSE 0 END), count(*), "
                    "sum(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END) FROM tickets "
                    "WHERE status IN ('open', 'waiting')")  # the SLA queues left out
    viewed = FIRST_STAGE // 2  # a ticket of the first stage, so it is there at both sizes
    middle_number = tickets.FIRST_NUMBER + viewed
    return [
        ("customer (owner): list page 1", lists(OWNER), _raw(engine, f"{columns} WHERE org_id = 1 {page}")),
        ("customer (owner): open requests", lists(OWNER, status="active"),
         _raw(engine, f"{columns} WHERE org_id = 1 AND status IN ('open', 'waiting') {page}")),
        ("customer (owner): search 'printer'", lists(OWNER, q="printer"),
         _raw(engine, f"{columns} WHERE org_id = 1 AND lower(subject) LIKE '%printer%' {page}")),
        ("customer (member): own requests", lists(MEMBER),
         _raw(engine, f"{columns} WHERE org_id = 1 AND raised_by_id = 10 {page}")),
        ("agent: queue counts", _service(engine, lambda s: ticket_lists.queue_counts(s, AGENT)),
         _raw(engine, queue_counts)),
        ("agent: unassigned queue page 1", lists(AGENT, queue="unassigned"),
         _raw(engine, f"{columns} WHERE status IN ('open', 'waiting') AND assignee_id IS NULL {page}")),
        ("agent: a request with 10 messages", _service(engine, lambda s: tickets.ticket_view(s, AGENT, middle_number)),
         _raw(engine, "SELECT * FROM ticket_messages WHERE ticket_id = :id ORDER BY created_at, id",
              id=viewed + 1)),
        ("customer: the same request", _service(engine, lambda s: tickets.ticket_view(s, OWNER, middle_number)),
         _raw(engine, "SELECT * FROM ticket_messages WHERE ticket_id = :id AND NOT internal "
                      "ORDER BY created_at, id", id=viewed + 1)),
    ]


def main(rounds: int = 30, url: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(f"on {url.split(':', 1)[0]}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        upgrade_to_head(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            _fill_people(conn)
        _fill_tickets(engine, 0, FIRST_STAGE)
        counter = StatementCounter(engine)
        small = {label: counter.of(call) for label, call, _ in _reads(engine)}
        began = time.perf_counter()
        _fill_tickets(engine, FIRST_STAGE, BIG_ORG_TICKETS + OTHER_TICKETS)
        print(f"filled {BIG_ORG_TICKETS:,} tickets in one organisation "
              f"({BIG_ORG_TICKETS * MESSAGES_PER_TICKET:,} messages) and {OTHER_TICKETS:,} in {OTHER_ORGS} others "
              f"in {time.perf_counter() - began:.0f} s")
        print(f"{'ms (' + str(rounds) + ' rounds)':<44} {'p50':>8} {'p95':>8}   {'raw p50':>8} {'raw p95':>8}"
              f"   statements at {FIRST_STAGE // 1000}k / {(BIG_ORG_TICKETS + OTHER_TICKETS) // 1000}k")
        for label, call, raw in _reads(engine):
            statements = counter.of(call)
            _row(label, _timed(call, rounds), _timed(raw, rounds), end=f"   {small[label]:>6} / {statements}")
        engine.dispose()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30, sys.argv[2] if len(sys.argv) > 2 else "")
