"""The overdue job: invoices past their due date become overdue once
(audited as the system, live pages told), reminders go out on the days
PORTAL_INVOICE_REMINDER_DAYS lists, each once however often (or however
many at once) the job runs, by mail to those who want mail; paid and void
invoices are never reminded. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import make_engine
from portal_app.integrations import live as live_channel
from portal_app.jobs.periodic import check_invoices
from portal_app.jobs.queue import huey
from portal_app.models import AuditEvent, Invoice, Notification, OutgoingMail
from portal_app.services import invoice_reminders, invoices, notifications, payments
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import join

LINES = [{"description": "Support plan, March", "quantity": "1", "unit_price": "300.00", "tax_rate": "20"}]
ISSUED = "2026-03-02 10:00Z"  # due on 1 April 2026 (30 days)
DUE = date(2026, 4, 1)


def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(any_engine, seeded) -> dict[str, Principal]:
    return seeded(any_engine, _people)


@pytest.fixture
def session(any_engine):
    with Session(any_engine, expire_on_commit=False) as s:
        yield s


def _issue(session: Session, staff: Principal, org_id: int, *, when: str = ISSUED) -> Invoice:
    with time_machine.travel(when, tick=False):
        draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
        invoice = invoices.do_issue(session, staff, draft.id)
        session.commit()
    return invoice


def _run_on(engine, day: date) -> tuple[int, int]:
    """The periodic job's own wrapper, run at 09:00 UTC on `day`."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, 0).isoformat() + "Z", tick=False):
        return check_invoices(engine)


def _reminders(session: Session, user_id: int | None = None) -> list[str]:
    session.expire_all()
    stmt = select(Notification.title).where(Notification.event == "invoice_reminder")
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    return list(session.exec(stmt.order_by(Notification.id)).all())


def _reload(session: Session, invoice: Invoice) -> Invoice:
    session.expire_all()
    return session.get(Invoice, invoice.id)


def test_an_invoice_is_marked_overdue_once_audited_as_the_system(any_engine, session, org, heard):
    invoice = _issue(session, org["staff"], org["owner"].current.org_id)
    assert invoice.due_date == DUE and invoice.status == "open"
    assert _run_on(any_engine, DUE) == (0, 0)  # due today is not late
    assert _reload(session, invoice).status == "open"
    heard.clear()
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)
    assert _reload(session, invoice).status == "overdue"
    published = {key for batch in heard for key in batch}
    assert {live_channel.invoice_key(invoice.id), live_channel.staff_key("invoices"),
            live_channel.org_key(invoice.org_id, "invoices")} <= published
    assert _run_on(any_engine, DUE + timedelta(days=2)) == (0, 0)  # run again: nothing new
    assert _run_on(any_engine, DUE + timedelta(days=2)) == (0, 0)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.overdue")).all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.actor_label, event.org_id) == (None, "", invoice.org_id)
    assert event.target_label == invoice.number and event.target_id == str(invoice.id)
    assert json.loads(event.details) == {"amount": "\u00a3360.00", "due": "1 Apr 2026"}


def test_reminders_follow_the_schedule_one_seven_and_fourteen_days(any_engine, session, org):
    assert get_settings().invoice_reminder_days == (1, 7, 14)
    invoice = _issue(session, org["staff"], org["owner"].current.org_id)
    expected = {1: (1, 1), 2: (0, 0), 6: (0, 0), 7: (0, 1), 8: (0, 0), 13: (0, 0), 14: (0, 1), 15: (0, 0),
                60: (0, 0)}
    for late, result in expected.items():
        assert _run_on(any_engine, DUE + timedelta(days=late)) == result, f"{late} days late"
    assert _reload(session, invoice).reminders_sent == 3
    title = f"{invoice.number} is overdue: \u00a3360.00 was due on 1 Apr 2026."
    assert _reminders(session, org["owner"].user_id) == [title] * 3
    assert _reminders(session, org["billing"].user_id) == [title] * 3
    assert _reminders(session, org["member"].user_id) == []  # plain members only where the organisation allows
    assert _reminders(session, org["theirs"].user_id) == []


def test_the_reminder_says_what_is_still_owed(any_engine, session, org):
    invoice = _issue(session, org["staff"], org["owner"].current.org_id)
    with time_machine.travel("2026-03-20 10:00Z", tick=False):
        payments.do_record_payment(session, org["staff"], invoice.id, amount="100", method="bank_transfer")
        session.commit()
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)
    assert _reload(session, invoice).status == "overdue"
    assert _reminders(session, org["owner"].user_id) == [f"{invoice.number} is overdue: \u00a3260.00 was due on "
                                                         "1 Apr 2026."]


def test_a_late_first_run_sends_one_reminder_not_a_burst(any_engine, session, org):
    invoice = _issue(session, org["staff"], org["owner"].current.org_id)
    assert _run_on(any_engine, DUE + timedelta(days=10)) == (1, 1)  # the job was stopped: days 1 and 7 passed
    assert _reload(session, invoice).reminders_sent == 2
    assert _run_on(any_engine, DUE + timedelta(days=11)) == (0, 0)
    assert _run_on(any_engine, DUE + timedelta(days=14)) == (0, 1)
    assert len(_reminders(session, org["owner"].user_id)) == 2


def test_paid_and_void_invoices_are_never_reminded(any_engine, session, org):
    ours = org["owner"].current.org_id
    paid, void, later_paid = (_issue(session, org["staff"], ours) for _ in range(3))
    with time_machine.travel("2026-03-20 10:00Z", tick=False):
        payments.do_record_payment(session, org["staff"], paid.id, amount="360", method="cash")
        invoices.do_void(session, org["staff"], void.id, reason="Sent twice")
        session.commit()
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)  # only the third
    with time_machine.travel((DUE + timedelta(days=3)).isoformat() + " 10:00Z", tick=False):
        payments.do_record_payment(session, org["staff"], later_paid.id, amount="360", method="bank_transfer")
        session.commit()
    for late in (7, 14, 30):
        assert _run_on(any_engine, DUE + timedelta(days=late)) == (0, 0)
    assert [_reload(session, i).status for i in (paid, void, later_paid)] == ["paid", "void", "paid"]
    assert [_reload(session, i).reminders_sent for i in (paid, void, later_paid)] == [0, 0, 1]
    assert _reminders(session, org["owner"].user_id) == [f"{later_paid.number} is overdue: \u00a3360.00 was due on "
                                                         "1 Apr 2026."]


def test_drafts_and_credit_notes_are_left_alone(any_engine, session, org):
    ours = org["owner"].current.org_id
    invoice = _issue(session, org["staff"], ours)
    with time_machine.travel("2026-03-20 10:00Z", tick=False):
        draft = invoices.do_create_draft(session, org["staff"], ours, lines=LINES, due_date="2026-03-25")
        note = invoices.do_credit(session, org["staff"], invoice.id, amount="60", reason="Hours not used")
        session.commit()
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)
    assert (_reload(session, draft).status, _reload(session, note).status) == ("draft", "issued")
    assert _reminders(session, org["owner"].user_id) == [f"{invoice.number} is overdue: \u00a3300.00 was due on "
                                                         "1 Apr 2026."]


def test_mail_goes_to_those_whose_setting_includes_email(any_engine, session, org):
    notifications.set_preferences(session, org["billing"], {"invoice_reminder": "in_app"})
    session.commit()
    invoice = _issue(session, org["staff"], org["owner"].current.org_id)
    before = session.exec(select(func.max(OutgoingMail.id))).one() or 0
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)
    session.expire_all()
    mails = session.exec(select(OutgoingMail).where(OutgoingMail.id > before)).all()
    assert [m.to_address for m in mails] == ["olive@example.com"]
    assert mails[0].subject.startswith(f"{invoice.number} is overdue: \u00a3360.00 was due on 1 Apr 2026.")
    assert routes.invoice_path(invoice.id) in mails[0].body
    assert len(_reminders(session, org["billing"].user_id)) == 1  # in the portal only


def test_an_empty_schedule_marks_but_never_reminds(any_engine, session, org, monkeypatch):
    monkeypatch.setenv("PORTAL_INVOICE_REMINDER_DAYS", "")
    get_settings.cache_clear()
    try:
        assert get_settings().invoice_reminder_days == ()
        invoice = _issue(session, org["staff"], org["owner"].current.org_id)
        assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 0)
        assert _run_on(any_engine, DUE + timedelta(days=30)) == (0, 0)
        assert _reload(session, invoice).status == "overdue"
        assert _reminders(session) == []
    finally:
        get_settings.cache_clear()


def test_each_run_takes_a_bounded_batch(any_engine, session, org, monkeypatch):
    monkeypatch.setattr(invoice_reminders, "BATCH", 2)
    made = [_issue(session, org["staff"], org["owner"].current.org_id) for _ in range(3)]
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (2, 2)
    assert _run_on(any_engine, DUE + timedelta(days=1)) == (1, 1)  # the next run takes the rest
    assert {_reload(session, i).status for i in made} == {"overdue"}
    assert len(_reminders(session, org["owner"].user_id)) == 3


def test_the_marking_costs_the_same_statements_for_one_invoice_or_many(any_engine, session, org):
    from tests.factories import statements

    ours = org["owner"].current.org_id
    _issue(session, org["staff"], ours)
    with Session(any_engine) as s, statements(any_engine) as one:
        invoice_reminders._mark(s, DUE + timedelta(days=1))
        s.rollback()
    for _ in range(4):
        _issue(session, org["staff"], ours)
    with Session(any_engine) as s, statements(any_engine) as five:
        assert invoice_reminders._mark(s, DUE + timedelta(days=1)) == 5
        s.rollback()
    assert len(five) <= len(one) + 1  # the audit rows' INSERT may be batched differently, never per invoice


def test_the_job_runs_every_hour():
    hour = datetime(2026, 4, 2, 10, 5)
    assert "invoices.check" in {task.name for task in huey.read_periodic(hour)}
    assert "invoices.check" not in {task.name for task in huey.read_periodic(hour + timedelta(minutes=1))}


@pytest.mark.postgres
def test_two_runs_at_once_mark_and_remind_once(pg_migrated_url):
    engine = make_engine(pg_migrated_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            people = _people(session)
            made = [_issue(session, people["staff"], people["owner"].current.org_id) for _ in range(6)]
        runs = 4
        barrier = threading.Barrier(runs)
        results: list[tuple[int, int]] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with Session(engine) as s:
                    barrier.wait()
                    results.append(invoice_reminders.mark_overdue_and_remind(s, day=DUE + timedelta(days=1)))
                    s.commit()
            except BaseException as exc:  # noqa: BLE001 — reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(runs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sum(m for m, _ in results) == 6 and sum(r for _, r in results) == 6
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "invoice.overdue")).one() == 6
            told = session.exec(select(Notification.user_id, func.count()).where(
                Notification.event == "invoice_reminder").group_by(Notification.user_id)).all()
            assert dict(told) == {people["owner"].user_id: 6, people["billing"].user_id: 6}
            assert {i.reminders_sent for i in session.exec(select(Invoice).where(
                Invoice.id.in_([m.id for m in made])))} == {1}
    finally:
        engine.dispose()
