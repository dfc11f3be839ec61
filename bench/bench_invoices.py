"""Billing at scale: one organisation with 10,000 invoices and credit notes
and 50,000 payments and refunds over three years (beside 10 smaller
organisations with 2,000 more documents, so the staff list has others'
rows), against a migrated SQLite file or a throwaway PostgreSQL database.

For each read it prints p50/p95 of the service call next to hand-written SQL
returning the same rows in the same run (checked to be the same rows before
timing), their ratio, and the SQL statements the service call issued at
1,200 documents and at the full size: the count must not grow with the data.

    python -m bench.bench_invoices [rounds] [database_url | pg]

30 rounds per figure by default, on SQLite; `pg` makes a new database on
this machine's PostgreSQL server (tests/pg.py, PORTAL_TEST_PG_URL) and drops
it afterwards; a URL runs on that (empty) database. The invoice PDF's
drawing time is `bench/bench_invoice_pdf.py`.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path

from sqlalchemy import Date, bindparam, insert, text
from sqlmodel import Session

from bench.bench_lists import _service, _timed
from bench.bench_tickets import StatementCounter
from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.models import Invoice, Membership, Organization, Payment, User
from portal_app.services import invoice_lists, invoices, statements
from portal_app.services.principal import OrgRole, Principal

DOCUMENTS = 12_000  # every sixth another organisation's: 10,000 in organisation 1
PAYMENTS = 50_000  # all in organisation 1
OTHER_ORGS = 10
FIRST_STAGE = 1_200  # the newest documents, filled first: statements are counted there too
DAYS = 3 * 365
BATCH = 10_000
CURRENCY = "GBP"
METHODS = ("bank_transfer", "bank_transfer", "card", "card", "card", "cheque", "cash", "other")
PAGE = invoice_lists.PAGE_SIZE

OWNER = Principal(user_id=1, email="owner@big.example.com", name="Owner", email_verified=True, session_id=None,
                  memberships=(OrgRole(1, "Big Co", "owner"),))
STAFF = Principal(user_id=2, email="billing@portal.example.com", name="Billing", email_verified=True,
                  session_id=None, staff_role="billing", mfa_enabled=True, mfa_required=True)


def _plan(today: date) -> tuple[list[dict], list[dict]]:
    """Every document and payment, oldest first, ids from 1. Of organisation
    1's invoices about nine in ten are paid (in 1 to 12 payments, one in 25
    with a refund), a tenth of those due in the last six months are overdue (half of them part
    paid), one in 50 void; the last month's are open, part paid or paid, and
    a few are drafts. Every 40th document is a credit note for the invoice
    before it. `paid` and `credited` agree with the payments and notes."""
    docs: list[dict] = []
    first = today - timedelta(days=DAYS)
    numbers: dict[tuple[str, int], int] = {}
    ours = 0  # organisation 1's documents so far
    for i in range(DOCUMENTS):
        day = first + timedelta(days=i * DAYS // DOCUMENTS)
        org = 1 if i % 6 != 5 else 2 + i % OTHER_ORGS
        total = 5_000 + (i * 7_919) % 495_000
        row = {"id": i + 1, "org_id": org, "kind": "invoice", "currency": CURRENCY, "credit_for_id": None,
               "issue_date": day, "due_date": day + timedelta(days=30), "subtotal": total - total // 6,
               "tax": total // 6, "total": total, "paid": 0, "credited": 0, "memo": "", "void_reason": "",
               "created_by_id": 2, "created_at": datetime.combine(day, clock(9), timezone.utc) + timedelta(
                   minutes=i % 480), "issued_at": None, "voided_at": None, "reminders_sent": 0}
        row["issued_at"] = row["created_at"]
        if org == 1:
            ours += 1
            before = next((d for d in reversed(docs) if d["org_id"] == 1), None)
            if ours % 40 == 0 and before and before["kind"] == "invoice" and before["status"] != "void":
                credit = before["total"] // 10
                before["credited"] = credit
                row.update(kind="credit_note", credit_for_id=before["id"], total=credit, subtotal=credit - credit // 6,
                           tax=credit // 6, due_date=None, memo="Goodwill: delivery was late", status="issued")
            elif row["due_date"] >= today:  # the last month
                row["status"] = ("draft", "open", "partially_paid", "paid", "open")[ours % 5] if day > today - timedelta(
                    days=7) else ("open", "partially_paid", "paid", "paid")[ours % 4]
            elif ours % 50 == 7:
                row["status"] = "void"
            elif ours % 20 in (3, 13) and row["due_date"] > today - timedelta(days=180):  # recent arrears
                row["status"] = "overdue"
            else:
                row["status"] = "paid"
        else:
            row["status"] = "paid" if row["due_date"] < today else "open"
            row["paid"] = total if row["status"] == "paid" else 0
        if row["status"] == "draft":
            row.update(issue_date=None, due_date=None, issued_at=None, number=None)
        else:
            kind = "CN" if row["kind"] == "credit_note" else "INV"
            numbers[kind, day.year] = numbers.get((kind, day.year), 0) + 1
            row["number"] = f"{kind}-{day.year}-{numbers[kind, day.year]:05d}"
        if row["status"] == "void":
            row.update(voided_at=row["created_at"] + timedelta(days=2), void_reason="Raised twice")
        docs.append(row)
    # Payments: part-paid invoices (and every other overdue one) get 2, paid
    # ones share what is left, evenly.
    ours_paid = [d for d in docs if d["org_id"] == 1 and d["status"] == "paid"]
    part = [d for d in docs if d["org_id"] == 1 and (d["status"] == "partially_paid"
                                                       or (d["status"] == "overdue" and d["id"] % 2))]
    left = PAYMENTS - 2 * len(part)
    counts = {d["id"]: 2 for d in part}
    counts.update({d["id"]: left // len(ours_paid) + (1 if n < left % len(ours_paid) else 0)
                   for n, d in enumerate(ours_paid)})
    payments: list[dict] = []
    for d in docs:
        n = counts.get(d["id"])
        if not n:
            continue
        owed = d["total"] - d["credited"]
        d["paid"] = owed if d["status"] == "paid" else owed // 2
        refund = 1_000 if d["status"] == "paid" and d["id"] % 25 == 0 and n > 1 else 0
        received = d["paid"] + refund
        shares = n - 1 if refund else n
        for k in range(n):
            is_refund = bool(refund) and k == n - 1
            amount = refund if is_refund else received // shares + (received % shares if k == shares - 1 else 0)
            payments.append({
                "id": len(payments) + 1, "org_id": 1, "invoice_id": d["id"], "kind": "refund" if is_refund else "payment",
                "amount": amount, "currency": CURRENCY, "method": METHODS[(d["id"] + k) % len(METHODS)],
                "reference": f"REF{d['id']:06d}-{k}", "received_on": min(today, d["issue_date"] + timedelta(days=3 + 5 * k)),
                "recorded_by_id": 2, "created_at": d["created_at"] + timedelta(days=3 + 5 * k)})
    return docs, payments


def _fill_people(conn) -> None:  # noqa: ANN001
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    conn.execute(insert(Organization.__table__), [
        {"id": 1 + i, "name": "Big Co" if i == 0 else f"Company {i:03d}", "slug": f"org-{i:03d}", "created_at": start,
         "require_mfa": False, "legal_name": "", "address": "", "tax_id": "", "billing_email": "", "logo_key": "",
         "tickets_open_to_members": False, "currency": CURRENCY, "invoices_open_to_members": False}
        for i in range(OTHER_ORGS + 1)])
    conn.execute(insert(User.__table__), [
        {"id": n, "email": email, "name": name, "staff_role": role, "password_hash": "x", "is_active": True,
         "created_at": start, "mfa_last_step": 0, "demo_mfa_exempt": False}
        for n, email, name, role in ((1, "owner@big.example.com", "Owner", None),
                                     (2, "billing@portal.example.com", "Billing", "billing"))])
    conn.execute(insert(Membership.__table__), [{"user_id": 1, "org_id": 1, "role": "owner", "created_at": start}])


def _fill(engine, docs: list[dict], payments: list[dict]) -> None:  # noqa: ANN001
    """Core executemany in batches; then statistics (and PostgreSQL's
    visibility map), as autovacuum would gather them soon after."""
    ids = {d["id"] for d in docs}
    with engine.begin() as conn:
        for start in range(0, len(docs), BATCH):
            conn.execute(insert(Invoice.__table__), docs[start:start + BATCH])
        mine = [p for p in payments if p["invoice_id"] in ids]
        for start in range(0, len(mine), BATCH):
            conn.execute(insert(Payment.__table__), mine[start:start + BATCH])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


# ---------------------------------------------------------------- the raw SQL of the same rows

DATES = ("since", "until", "after", "today")
VISIBLE = "org_id = 1 AND status <> 'draft'"  # what the owner sees (invoices.visible_to)
IN_STATEMENT = "org_id = 1 AND currency = 'GBP' AND status NOT IN ('draft', 'void')"


def _raw(engine, sql: str, **params) -> Callable[[], list]:  # noqa: ANN001
    stmt = text(sql).bindparams(*(bindparam(name, type_=Date) for name in DATES if name in params))

    def call() -> list:
        with engine.connect() as conn:
            return conn.execute(stmt, params).all()
    return call


def _raw_statement(engine, since: date, until: date) -> Callable[[], tuple]:  # noqa: ANN001
    """The statement's three reads, by hand: the opening balance, the
    documents in the period (a credit note with the number it credits), the
    payments in the period with their invoice's number."""
    opening = _raw(engine, (
        "SELECT (SELECT COALESCE(SUM(CASE WHEN kind = 'invoice' THEN total ELSE -total END), 0) FROM invoices "
        f"WHERE {IN_STATEMENT} AND issue_date < :since), "
        "(SELECT COALESCE(SUM(CASE WHEN p.kind = 'refund' THEN p.amount ELSE -p.amount END), 0) FROM payments p "
        "JOIN invoices i ON i.id = p.invoice_id WHERE p.org_id = 1 AND p.currency = 'GBP' AND p.received_on < :since "
        "AND i.org_id = 1 AND i.status NOT IN ('draft', 'void'))"), since=since)
    documents = _raw(engine, (
        "SELECT d.*, c.number FROM invoices d LEFT JOIN invoices c ON c.id = d.credit_for_id "
        f"WHERE d.{IN_STATEMENT.replace(' AND ', ' AND d.')} AND d.issue_date >= :since AND d.issue_date <= :until"),
        since=since, until=until)
    money = _raw(engine, (
        "SELECT p.*, i.number FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.org_id = 1 "
        "AND p.currency = 'GBP' AND p.received_on >= :since AND p.received_on <= :until "
        "AND i.org_id = 1 AND i.status NOT IN ('draft', 'void')"), since=since, until=until)
    return lambda: (opening(), documents(), money())


def _reads(engine, today: date) -> list[tuple[str, Callable[[], object], Callable[[], object], Callable]]:  # noqa: ANN001
    """(label, service call, raw SQL of the same rows, check that both gave
    the same) for every read timed."""
    org_list = lambda **kw: _service(engine, lambda s: invoice_lists.list_for_org(s, OWNER, 1, **kw))  # noqa: E731
    with Session(engine) as session:
        first = invoice_lists.list_for_org(session, OWNER, 1)
        pages = first.pages
        deep = pages // 2
        before_deep = invoice_lists.list_for_org(session, OWNER, 1, page=deep - 1)
    columns = "SELECT * FROM invoices"
    order = "ORDER BY issue_date DESC, id DESC"
    mark = before_deep.cursor.last  # (issue_date, id) of the last row of the page before
    ids = lambda page, rows: [r.id for r in page.rows] == [r.id for r in rows]  # noqa: E731
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last_month = (month, today.replace(day=1) - timedelta(days=1))
    last_year = (today - timedelta(days=365), today)

    def same_statement(result, raw) -> bool:  # noqa: ANN001
        opening, documents, money = raw
        return (result.opening == int(opening[0][0] or 0) + int(opening[0][1] or 0)
                and len(result.entries) == len(documents) + len(money))

    def same_summary(result, raw) -> bool:  # noqa: ANN001
        return (result.balance_due, result.overdue, result.unpaid_count) == tuple(int(v or 0) for v in raw[0][:3]) \
            and result.next_due == (raw[0][3] if isinstance(raw[0][3], date) or raw[0][3] is None
                                    else date.fromisoformat(raw[0][3]))

    reads = [
        ("customer list page 1", org_list(), _raw(engine, f"{columns} WHERE {VISIBLE} {order} LIMIT {PAGE}"), ids),
        (f"customer list page {deep} by Next (cursor)", org_list(page=deep, cursor=before_deep.cursor),
         _raw(engine, f"{columns} WHERE {VISIBLE} AND (issue_date < :after OR (issue_date = :after AND id < :id)) "
                      f"{order} LIMIT {PAGE}", after=mark[0], id=mark[1]), ids),
        (f"customer list page {deep} by number", org_list(page=deep),
         _raw(engine, f"{columns} WHERE {VISIBLE} {order} LIMIT {PAGE} OFFSET {(deep - 1) * PAGE}"), ids),
        (f"customer list last page ({pages}) by number", org_list(page=pages),
         _raw(engine, f"{columns} WHERE {VISIBLE} {order} LIMIT {PAGE} OFFSET {(pages - 1) * PAGE}"), ids),
        ("customer list 'unpaid' page 1", org_list(status="unpaid"),
         _raw(engine, f"{columns} WHERE {VISIBLE} AND status IN ('open', 'partially_paid', 'overdue') "
                      f"{order} LIMIT {PAGE}"), ids),
        ("staff list_all page 1", _service(engine, lambda s: invoice_lists.list_all(s, STAFF)),
         _raw(engine, "SELECT invoices.*, organizations.name FROM invoices JOIN organizations "
                      f"ON organizations.id = invoices.org_id ORDER BY created_at DESC, invoices.id DESC LIMIT {PAGE}"),
         ids),
        ("balance summary", _service(engine, lambda s: invoice_lists.summary(s, OWNER, 1)),
         _raw(engine, "SELECT COALESCE(SUM(total - paid - credited), 0), "
                      "COALESCE(SUM(CASE WHEN status = 'overdue' THEN total - paid - credited ELSE 0 END), 0), "
                      "COUNT(*), MIN(CASE WHEN due_date >= :today THEN due_date END) FROM invoices "
                      f"WHERE {VISIBLE} AND kind = 'invoice' AND currency = 'GBP' "
                      "AND status IN ('open', 'partially_paid', 'overdue')", today=today), same_summary),
    ]
    for name, (since, until) in (("1 month", last_month), ("1 year", last_year)):
        reads.append((f"statement, {name}",
                      _service(engine, lambda s, a=since, b=until: statements.statement(s, OWNER, 1, since=a, until=b)),
                      _raw_statement(engine, since, until), same_statement))
    return reads


def _database(arg: str, tmp: str) -> tuple[str, Callable[[], None]]:
    if arg == "pg":
        from tests import pg  # the tests' throwaway databases, as bench_load makes them

        name = f"portal_bench_{secrets.token_hex(6)}"
        pg.create_database(name)
        return pg.database_url(name), lambda: pg.drop_database(name)
    return arg or f"sqlite:///{Path(tmp) / 'bench.db'}", lambda: None


def main(rounds: int = 30, arg: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(arg, tmp)
        try:
            _run(rounds, url)
        finally:
            drop()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _run(rounds: int, url: str) -> None:
    print(f"on {url.split(':', 1)[0]}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    upgrade_to_head(url)
    engine = make_engine(url)
    today = invoices.today()
    docs, payments = _plan(today)
    with engine.begin() as conn:
        _fill_people(conn)
    _fill(engine, docs[-FIRST_STAGE:], payments)
    counter = StatementCounter(engine)
    small = [counter.of(call) for _, call, _, _ in _reads(engine, today)]
    began = time.perf_counter()
    _fill(engine, docs[:-FIRST_STAGE], payments)
    ours = sum(d["org_id"] == 1 for d in docs)
    statuses = {}
    for d in docs:
        if d["org_id"] == 1:
            statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    print(f"filled {ours:,} documents in one organisation ({', '.join(f'{n:,} {s}' for s, n in sorted(statuses.items()))}),"
          f" {len(payments):,} payments ({sum(p['kind'] == 'refund' for p in payments):,} refunds) and "
          f"{len(docs) - ours:,} documents in {OTHER_ORGS} others, in {time.perf_counter() - began:.1f} s")
    print(f"{'ms (' + str(rounds) + ' rounds)':<40} {'p50':>7} {'p95':>7}   {'raw p50':>7} {'raw p95':>7} "
          f"{'ratio':>6}   statements at {FIRST_STAGE:,} / {len(docs):,} documents")
    for n, (label, call, raw, same) in enumerate(_reads(engine, today)):
        result = call()
        if not same(result, raw()):
            raise SystemExit(f"{label}: the raw SQL did not return the service's rows")
        statements_now = counter.of(call)
        service, plain = _timed(call, rounds), _timed(raw, rounds)
        rows = (f"{len(result.rows)} rows" if hasattr(result, "rows") else
                f"{len(result.entries)} entries" if hasattr(result, "entries") else "1 row")
        print(f"{label:<40} {service[0]:7.1f} {service[1]:7.1f}   {plain[0]:7.1f} {plain[1]:7.1f} "
              f"{service[0] / plain[0] if plain[0] else 0:6.1f}   {small[n]:>6} / {statements_now}   ({rows})")
    engine.dispose()
    print("the invoice PDF: python -m bench.bench_invoice_pdf")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30, sys.argv[2] if len(sys.argv) > 2 else "")
