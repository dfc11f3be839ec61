"""The overdue job: issued invoices whose due date has passed become
"overdue", and their organisation's billing people are reminded on the
days after the due date that `PORTAL_INVOICE_REMINDER_DAYS` lists (1, 7
and 14 by default; empty: no reminders).

Safe to run twice, or twice at once (`jobs/periodic.py` runs it hourly):
- the marking is one conditional UPDATE per batch (`... WHERE id IN (...)
  AND status IN ('open', 'partially_paid') RETURNING id`): only the run
  whose UPDATE changed a row audits it, so each invoice is marked once;
  which invoices qualify is `invoices.settle`'s rule, the one place the
  status follows from the figures;
- the k-th reminder is claimed with `UPDATE ... SET reminders_sent = n
  WHERE id = ? AND reminders_sent = k` before it is sent, so each goes out
  once. An invoice that missed some (the job was stopped for a week) gets
  one reminder now, for the latest step reached, not a burst of them.

Each run does at most `BATCH` invoices of each kind of work; the next run
takes the rest."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from portal_app.models import Invoice
from portal_app.services import audit, invoices
from portal_app.services.formatting import format_date, format_money
from portal_app.settings import get_settings

BATCH = 200  # invoices per run for each step; the next run takes the rest
NOT_YET_OVERDUE = ("open", "partially_paid")


def mark_overdue_and_remind(session: Session, *, day: date | None = None) -> tuple[int, int]:
    """Mark the invoices past their due date on `day` (the business's today)
    overdue, and send the reminders now due. Writes in the caller's
    transaction; returns (invoices marked, reminders sent) by this run."""
    day = day or invoices.today()
    marked = _mark(session, day)
    reminded = _remind(session, day)
    session.flush()
    return marked, reminded


def _mark(session: Session, day: date) -> int:
    """Three statements: the candidates, one UPDATE claiming them, the claimed rows."""
    rows = session.exec(
        select(Invoice.id, Invoice.kind, Invoice.status, Invoice.due_date, Invoice.total, Invoice.paid,
               Invoice.credited)
        .where(Invoice.kind == "invoice", Invoice.status.in_(NOT_YET_OVERDUE), Invoice.due_date < day)
        .order_by(Invoice.due_date, Invoice.id).limit(BATCH)).all()
    due = []
    for invoice_id, kind, status, due_date, total, paid, credited in rows:
        probe = Invoice(kind=kind, status=status, due_date=due_date, total=total, paid=paid, credited=credited,
                        currency="", org_id=0)  # never added to the session: only asks settle
        invoices.settle(probe, day)
        if probe.status == "overdue":
            due.append(invoice_id)
    if not due:
        return 0
    claimed = session.execute(
        update(Invoice).where(Invoice.id.in_(due), Invoice.status.in_(NOT_YET_OVERDUE), Invoice.due_date < day)
        .values(status="overdue").returning(Invoice.id)
        .execution_options(synchronize_session=False)).scalars().all()
    if not claimed:
        return 0  # another run marked them
    marked = session.exec(select(Invoice).where(Invoice.id.in_(claimed)).order_by(Invoice.id)
                          .execution_options(populate_existing=True)).all()
    for invoice in marked:
        audit.record(session, "invoice.overdue", org_id=invoice.org_id, target_type="invoice",
                     target_id=invoice.id, target_label=invoices.label(invoice),
                     details={"amount": format_money(invoices.balance(invoice), invoice.currency),
                              "due": format_date(invoice.due_date)})
        invoices.changed(session, invoice)
    return len(marked)


def steps_reached(days_late: int, schedule: tuple[int, ...]) -> int:
    """How many of the reminder days (sorted) `days_late` has reached."""
    return sum(1 for step in schedule if days_late >= step)


def _remind(session: Session, day: date) -> int:
    """One statement for the candidates, then per invoice its claim and its notification."""
    schedule = tuple(sorted(set(get_settings().invoice_reminder_days)))
    if not schedule:
        return 0
    # Reminder k is due when reminders_sent is k and the due date is at least schedule[k] days ago.
    due_now = or_(*(and_(Invoice.reminders_sent == k, Invoice.due_date <= day - timedelta(days=step))
                    for k, step in enumerate(schedule)))
    candidates = session.exec(
        select(Invoice).where(Invoice.kind == "invoice", Invoice.status == "overdue", due_now)
        .order_by(Invoice.due_date, Invoice.id).limit(BATCH)
        .execution_options(populate_existing=True)).all()
    sent = 0
    for invoice in candidates:
        k = invoice.reminders_sent
        reached = steps_reached((day - invoice.due_date).days, schedule)
        if reached <= k:
            continue
        claimed = session.execute(
            update(Invoice).where(Invoice.id == invoice.id, Invoice.reminders_sent == k,
                                  Invoice.status == "overdue")
            .values(reminders_sent=reached).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue  # another run sent it, or the invoice was paid meanwhile
        session.expire(invoice, ["reminders_sent"])  # read again from the row when next asked
        invoices.tell(session, invoice, "invoice_reminder",
                      amount=format_money(invoices.balance(invoice), invoice.currency),
                      due=format_date(invoice.due_date))
        sent += 1
    return sent
