"""Service levels: business-time arithmetic (nights, weekends, holidays, the
clock changes), the clocks on tickets through the ticket verbs (raise, staff
reply, waiting and back, priority change, resolve) with `time-machine`, the
periodic job flagging at-risk and breached tickets once each, the console's
SLA queues, the customer's promise, and the staff admins' settings (who may,
bad input, audit)."""

from __future__ import annotations

import dataclasses
import random
import shutil
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.db import make_engine
from portal_app.jobs.periodic import check_sla
from portal_app.models import AuditEvent, Holiday, Notification, OutgoingMail, SlaPolicy, Ticket
from portal_app.models import TicketCategory
from portal_app.services import sla, ticket_lists, tickets
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import ROLES
from portal_app.settings import get_settings
from tests.factories import ours_and_theirs, staff_admin
from tests.permissions import _world, snapshot

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ((9 * 60, 17 * 60 + 30),) * 5 + (None, None)
CAL = sla.Calendar(WEEKDAYS, frozenset(), LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(timezone.utc)


# ---------------------------------------------------------------- business time (pure)

@pytest.mark.parametrize("start,minutes,expected", [
    (london(2026, 11, 26, 16, 0), 60, london(2026, 11, 26, 17, 0)),  # within the day (Thursday)
    (london(2026, 11, 26, 17, 0), 60, london(2026, 11, 27, 9, 30)),  # over the night
    (london(2026, 11, 26, 20, 0), 30, london(2026, 11, 27, 9, 30)),  # raised at night
    (london(2026, 11, 26, 7, 0), 30, london(2026, 11, 26, 9, 30)),  # raised before opening
    (london(2026, 11, 27, 17, 0), 60, london(2026, 11, 30, 9, 30)),  # over the weekend
    (london(2026, 11, 28, 12, 0), 510, london(2026, 11, 30, 17, 30)),  # raised on a Saturday: one whole day
    (london(2026, 11, 26, 9, 0), 3 * 510, london(2026, 11, 30, 17, 30)),  # three business days
    (london(2026, 11, 26, 12, 0), 0, london(2026, 11, 26, 12, 0)),  # nothing to add
    # The clocks go back (Sunday 25 Oct 2026): opening stays 09:00 local, 08:00 then 09:00 UTC.
    (london(2026, 10, 23, 17, 0), 60, utc(2026, 10, 26, 9, 30)),
    # The clocks go forward (Sunday 29 Mar 2026): 09:30 BST is 08:30 UTC.
    (london(2026, 3, 27, 17, 0), 60, utc(2026, 3, 30, 8, 30)),
])
def test_adding_business_minutes(start, minutes, expected):
    assert sla.add_business(start, minutes, CAL) == expected
    assert sla.business_minutes(start, expected, CAL) == pytest.approx(minutes if minutes else 0)


def test_holidays_are_skipped_and_counted_out():
    christmas = sla.Calendar(WEEKDAYS, frozenset({date(2026, 12, 25), date(2026, 12, 28)}), LONDON)
    # Thursday 24 Dec 17:00 + 1 h: Friday and Monday are holidays, so Tuesday 09:30.
    assert sla.add_business(london(2026, 12, 24, 17, 0), 60, christmas) == london(2026, 12, 29, 9, 30)
    assert sla.business_minutes(london(2026, 12, 24, 9, 0), london(2026, 12, 29, 17, 30), christmas) == 2 * 510
    assert sla.business_minutes(london(2026, 12, 24, 9, 0), london(2026, 12, 29, 17, 30), CAL) == 4 * 510


def test_a_week_is_five_business_days_across_a_clock_change():
    # 19 to 26 Oct 2026 is seven days and one hour of real time (the clocks go back), five business days.
    start, end = london(2026, 10, 19, 9, 0), london(2026, 10, 26, 9, 0)
    assert end - start == timedelta(days=7, hours=1)
    assert sla.business_minutes(start, end, CAL) == 5 * 510
    assert sla.business_minutes(end, start, CAL) == -5 * 510  # backwards is negative


def test_adding_and_measuring_agree_everywhere():
    rng = random.Random(13)
    for _ in range(300):
        start = london(2026, 1, 1, 0, 0) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        minutes = rng.randrange(1, 6000)
        due = sla.add_business(start, minutes, CAL)
        assert due > start
        assert sla.business_minutes(start, due, CAL) == pytest.approx(minutes)


def test_going_back_in_business_time_for_targets_already_missed():
    assert sla.add_business(london(2026, 11, 30, 9, 30), -60, CAL) == london(2026, 11, 27, 17, 0)
    assert sla.add_business(london(2026, 11, 26, 12, 0), -120, CAL) == london(2026, 11, 26, 10, 0)
    assert sla.add_business(london(2026, 10, 26, 9, 30), -60, CAL) == london(2026, 10, 23, 17, 0)  # clocks back


def test_a_calendar_that_never_opens_is_refused():
    with pytest.raises(ValueError, match="no opening hours"):
        sla.add_business(utc(2026, 11, 26, 10), 30, sla.Calendar((None,) * 7, frozenset(), LONDON))
    assert sla.business_minutes(utc(2026, 11, 26), utc(2026, 12, 26), sla.Calendar((None,) * 7)) == 0


def test_the_default_calendar_and_targets_come_from_the_migration(session):
    cal = sla.calendar(session)
    assert cal.hours == WEEKDAYS and cal.holidays == frozenset()
    assert {p: sla.targets(session, 1, p) for p in ("urgent", "high", "normal", "low")} == {
        "urgent": (60, 240), "high": (240, 510), "normal": (510, 1530), "low": (1020, 2550)}


# ---------------------------------------------------------------- the clocks on tickets

THURSDAY = utc(2026, 11, 26, 10, 0)  # tests run in UTC: opening hours 09:00–17:30 UTC


@pytest.fixture
def desk(engine):
    """A customer organisation (owner), another one's owner, a staff admin (an agent), one session."""
    with Session(engine, expire_on_commit=False) as session:
        people = ours_and_theirs(session) | {"staff": staff_admin(session)}
        session.commit()
        yield session, people


def _raise(session, owner, priority="normal", subject="Exports fail") -> Ticket:
    category = session.exec(select(TicketCategory.id).where(TicketCategory.name == "Request a change")).one()
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject=subject,
                              body="Since this morning.", priority=priority)
    session.commit()
    return ticket


def _reload(session, ticket) -> Ticket:
    session.commit()  # a new transaction: sees what the job committed
    session.expire_all()
    return session.get(Ticket, ticket.id)


def test_raising_sets_the_due_times_and_a_staff_reply_meets_the_first_response(desk):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"])
        assert ticket.first_response_due_at == utc(2026, 11, 27, 10, 0)  # 8.5 business hours
        assert ticket.resolution_due_at == utc(2026, 12, 1, 10, 0)  # 3 business days
        assert ticket.sla_at_risk_at == utc(2026, 11, 26, 16, 22, 30)  # a quarter of 8.5 h left
        view = tickets.ticket_view(session, people["owner"], ticket.number)
        assert sla.promise(view.status, view.clock) == "We aim to reply by Fri 10:00 UTC."
    with time_machine.travel(THURSDAY + timedelta(hours=1), tick=False):
        tickets.do_reply(session, people["staff"], ticket.number, body="Looking", internal=True)  # a note: no
        session.commit()
        assert _reload(session, ticket).first_responded_at is None
        tickets.do_reply(session, people["staff"], ticket.number, body="Which export?")
        session.commit()
    ticket = _reload(session, ticket)
    assert ticket.first_responded_at == THURSDAY + timedelta(hours=1) and ticket.sla_breached_at is None
    # Waiting on the customer: the clocks pause with one business hour used.
    assert ticket.status == "waiting" and ticket.sla_running_since is None and ticket.sla_used_minutes == 60
    assert ticket.first_response_due_at is None and ticket.resolution_due_at is None
    # Over the weekend nothing runs; Monday 10:00 the customer answers: 1470 minutes remain.
    with time_machine.travel(utc(2026, 11, 30, 10, 0), tick=False):
        tickets.do_reply(session, people["owner"], ticket.number, body="The CSV one.")
        session.commit()
        ticket = _reload(session, ticket)
        assert ticket.status == "open" and ticket.resolution_due_at == utc(2026, 12, 2, 17, 30)
        assert ticket.first_response_due_at is None
        view = tickets.ticket_view(session, people["owner"], ticket.number)
        assert sla.promise(view.status, view.clock) == "We aim to resolve this by Wed 17:30 UTC."
    with time_machine.travel(utc(2026, 12, 1, 12, 0), tick=False):
        tickets.do_set_status(session, people["staff"], ticket.number, "resolved")
        session.commit()
    ticket = _reload(session, ticket)
    assert ticket.resolution_due_at is None and ticket.sla_breached_at is None
    assert ticket.sla_used_minutes == 60 + 450 + 180  # Thursday's hour, Monday from 10:00, Tuesday to 12:00


def test_waiting_set_by_staff_pauses_both_clocks_and_reopening_resumes_them(desk):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"], priority="high")  # 4 h / 8.5 h
    with time_machine.travel(THURSDAY + timedelta(hours=2), tick=False):
        tickets.do_set_status(session, people["staff"], ticket.number, "waiting")
        session.commit()
    with time_machine.travel(utc(2026, 11, 27, 16, 0), tick=False):  # Friday 16:00
        tickets.do_set_status(session, people["staff"], ticket.number, "open")
        session.commit()
        ticket = _reload(session, ticket)
        # 2 h used: 2 h to the first response (Friday 16:00–17:30, then Monday 09:00–09:30) and 6.5 h to
        # resolve (1.5 h on Friday, 5 h on Monday).
        assert ticket.first_response_due_at == utc(2026, 11, 30, 9, 30)
        assert ticket.resolution_due_at == utc(2026, 11, 30, 14, 0)


def test_a_priority_change_recomputes_from_the_policy_with_the_time_used(desk):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"])
    with time_machine.travel(THURSDAY + timedelta(minutes=30), tick=False):
        tickets.do_set_priority(session, people["staff"], ticket.number, "urgent")  # 1 h / 4 h
        session.commit()
    ticket = _reload(session, ticket)
    assert ticket.first_response_due_at == THURSDAY + timedelta(hours=1)
    assert ticket.resolution_due_at == THURSDAY + timedelta(hours=4)
    with time_machine.travel(THURSDAY + timedelta(hours=2), tick=False):
        tickets.do_set_category(session, people["staff"], ticket.number,
                                session.exec(select(TicketCategory.id).where(TicketCategory.name == "Question")).one())
        session.commit()
    assert _reload(session, ticket).first_response_due_at == THURSDAY + timedelta(hours=1)  # still the same promise


def test_an_organisation_s_own_policy_overrides_the_default(desk):
    session, people = desk
    sla.do_set_policy(session, people["staff"], "normal", first_response="30", resolution="120",
                      org_id=people["owner"].current.org_id)
    session.commit()
    with time_machine.travel(THURSDAY, tick=False):
        ours = _raise(session, people["owner"])
        theirs = _raise(session, people["theirs"])
    assert ours.first_response_due_at == THURSDAY + timedelta(minutes=30)
    assert theirs.first_response_due_at == utc(2026, 11, 27, 10, 0)


def test_a_late_first_reply_counts_as_breached(desk):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"], priority="urgent")
    with time_machine.travel(THURSDAY + timedelta(hours=2), tick=False):
        tickets.do_reply(session, people["staff"], ticket.number, body="Sorry for the wait")
        session.commit()
    assert _reload(session, ticket).sla_breached_at == THURSDAY + timedelta(hours=1)


# ---------------------------------------------------------------- at risk, breached, the job, the queues

def _counts(session, staff) -> tuple[int, int]:
    session.commit()
    counts = ticket_lists.queue_counts(session, staff)
    return counts["at_risk"], counts["breached"]


def test_the_job_flags_and_notifies_once_each(desk, engine, monkeypatch):
    session, people = desk
    monkeypatch.setenv("PORTAL_SLA_ALERT_EMAIL", "oncall@example.com")
    get_settings.cache_clear()
    try:
        with time_machine.travel(THURSDAY, tick=False):
            urgent = _raise(session, people["owner"], priority="urgent")  # first response due 11:00
            calm = _raise(session, people["owner"], priority="low", subject="Whenever")
            assert check_sla(engine) == (0, 0)
        with time_machine.travel(THURSDAY + timedelta(minutes=50), tick=False):  # 10 of 60 minutes left
            assert check_sla(engine) == (1, 0)
            assert check_sla(engine) == (0, 0)  # run twice: told once
            assert _counts(session, people["staff"]) == (1, 0)
            page = ticket_lists.list_tickets(session, people["staff"], queue="at_risk")
            assert [r.number for r in page.rows] == [urgent.number]
            assert page.rows[0].clock.at_risk(THURSDAY + timedelta(minutes=50))
        with time_machine.travel(THURSDAY + timedelta(minutes=61), tick=False):
            assert check_sla(engine) == (0, 1)
            assert check_sla(engine) == (0, 0)
            assert _counts(session, people["staff"]) == (0, 1)
            assert [r.number for r in ticket_lists.list_tickets(session, people["staff"], queue="breached").rows] == [
                urgent.number]
        session.commit()
        told = session.exec(select(Notification.event, Notification.user_id, Notification.title)
                            .where(Notification.event.in_(("sla_at_risk", "sla_breached")))
                            .order_by(Notification.id)).all()
        assert [(e, u) for e, u, _ in told] == [("sla_at_risk", people["staff"].user_id),
                                                ("sla_breached", people["staff"].user_id)]
        assert told[1][2] == f"T-{urgent.number} missed its first response target (Thu 11:00 UTC): Exports fail"
        alerts = session.exec(select(OutgoingMail.subject).where(OutgoingMail.to_address == "oncall@example.com")
                              ).all()
        assert len(alerts) == 2 and "at risk" in alerts[0] and "missed" in alerts[1]
        assert _reload(session, calm).sla_breached_at is None
        # A breached ticket waiting on the customer stays in the breached queue; nothing more is sent.
        with time_machine.travel(THURSDAY + timedelta(minutes=70), tick=False):
            tickets.do_reply(session, people["staff"], urgent.number, body="On it")
            session.commit()
            assert _counts(session, people["staff"]) == (0, 1)
            assert check_sla(engine) == (0, 0)
    finally:
        get_settings.cache_clear()


def test_the_resolution_clock_gets_at_risk_and_breached_after_the_first_reply(desk, engine):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"], priority="urgent")  # 1 h / 4 h
    with time_machine.travel(THURSDAY + timedelta(minutes=20), tick=False):
        tickets.do_reply(session, people["staff"], ticket.number, body="Looking into it")
        tickets.do_set_status(session, people["staff"], ticket.number, "open")  # still ours to solve
        session.commit()
    with time_machine.travel(THURSDAY + timedelta(hours=3, minutes=30), tick=False):  # 30 of 240 minutes left
        assert _reload(session, ticket).first_response_due_at is None
        assert check_sla(engine) == (1, 0)
        assert _counts(session, people["staff"]) == (1, 0)
    with time_machine.travel(THURSDAY + timedelta(hours=4, minutes=1), tick=False):
        assert check_sla(engine) == (0, 1)
        assert _counts(session, people["staff"]) == (0, 1)
    session.commit()
    titles = session.exec(select(Notification.title).where(Notification.event == "sla_breached")).all()
    assert titles == [f"T-{ticket.number} missed its resolution target (Thu 14:00 UTC): Exports fail"]


def test_the_assignee_alone_hears_about_their_ticket(desk, engine):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"], priority="urgent")
        other = staff_admin(session, email="second@example.com", name="Second Agent")
        tickets.do_assign(session, people["staff"], ticket.number, other.user_id)
        session.commit()
    with time_machine.travel(THURSDAY + timedelta(minutes=50), tick=False):
        assert check_sla(engine) == (1, 0)
    session.commit()
    assert session.exec(select(Notification.user_id).where(Notification.event == "sla_at_risk")).all() == [
        other.user_id]


def test_a_paused_ticket_is_never_at_risk(desk, engine):
    session, people = desk
    with time_machine.travel(THURSDAY, tick=False):
        ticket = _raise(session, people["owner"], priority="urgent")
        tickets.do_set_status(session, people["staff"], ticket.number, "waiting")
        session.commit()
    with time_machine.travel(THURSDAY + timedelta(days=5), tick=False):
        assert check_sla(engine) == (0, 0)
        assert _counts(session, people["staff"]) == (0, 0)


def test_customers_never_get_the_sla_queues(desk):
    session, people = desk
    with pytest.raises(Forbidden):
        ticket_lists.list_tickets(session, people["owner"], queue="breached")


# ---------------------------------------------------------------- the staff admins' settings

@pytest.fixture
def admin_world(sqlite_template, tmp_path_factory, tmp_path):
    """The permission tests' people (built once per process: tests/permissions.py),
    "staff" a staff admin and "agent" a staff agent, on a copy of their database."""
    world, built = _world(sqlite_template, tmp_path_factory)
    shutil.copyfile(world, tmp_path / "portal.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        with Session(engine, expire_on_commit=False) as session:
            people = {**built.ours, "staff": built.staff,
                      "agent": dataclasses.replace(built.staff, staff_role="agent")}
            yield session, people
    finally:
        engine.dispose()


def _week(**changes) -> dict:
    week = {d: {"opens": "09:00", "closes": "17:30"} if d < 5 else {"closed": True} for d in range(7)}
    week.update({int(k[1:]): v for k, v in changes.items()})
    return week


ADMIN_ACTIONS = {
    "view": lambda s, p: sla.settings_view(s, p),
    "set policy": lambda s, p: sla.do_set_policy(s, p, "urgent", first_response="30", resolution="120"),
    "set hours": lambda s, p: sla.do_set_hours(s, p, _week(d5={"opens": "10:00", "closes": "14:00"})),
    "add holiday": lambda s, p: sla.do_add_holiday(s, p, day="2026-12-25", name="Christmas Day"),
    "remove holiday": lambda s, p: sla.do_remove_holiday(s, p, s.exec(select(Holiday.id)).first() or 1),
    "override": lambda s, p: sla.do_set_override(s, p, p.current.org_id if p.current else 1, "low",
                                                 first_response="60", resolution="600"),
}


@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
@pytest.mark.parametrize("who", [*ROLES, "agent"])
def test_only_staff_admins_change_the_sla_settings(admin_world, action, who):
    session, people = admin_world
    session.add(Holiday(day=date(2026, 1, 1), name="New Year's Day"))
    session.commit()
    before = snapshot(session)
    with pytest.raises(Forbidden) as refused:
        ADMIN_ACTIONS[action](session, people[who])
    assert refused.value.code == "staff_only"
    assert snapshot(session) == before


def test_a_staff_admin_changes_everything_and_it_is_audited(admin_world):
    session, people = admin_world
    admin, org_id = people["staff"], people["owner"].current.org_id
    sla.do_set_policy(session, admin, "urgent", first_response="30", resolution="120")
    sla.do_set_policy(session, admin, "low", first_response=60, resolution=600, org_id=str(org_id))
    sla.do_set_hours(session, admin, _week(d5={"opens": "10:00", "closes": "14:00"}, d4={"closed": True}))
    christmas = sla.do_add_holiday(session, admin, day="2026-12-25", name="Christmas Day")
    sla.do_add_holiday(session, admin, day="2026-12-26", name="Boxing Day")
    sla.do_remove_holiday(session, admin, christmas.id)
    session.commit()
    view = sla.settings_view(session, admin)
    assert [(p.priority, p.org, p.first_response_minutes, p.resolution_minutes) for p in view.policies] == [
        ("urgent", "", 30, 120), ("high", "", 240, 510), ("normal", "", 510, 1530), ("low", "", 1020, 2550),
        ("low", "Ours", 60, 600)]
    assert [(h.name, h.opens, h.closes) for h in view.hours][3:6] == [
        ("Thursday", "09:00", "17:30"), ("Friday", "", ""), ("Saturday", "10:00", "14:00")]
    assert [(h.day, h.name) for h in view.holidays] == [(date(2026, 12, 26), "Boxing Day")]
    assert sla.calendar(session).holidays == {date(2026, 12, 26)}
    sla.do_remove_override(session, admin, org_id, "low")
    session.commit()
    assert session.exec(select(SlaPolicy).where(SlaPolicy.org_id.is_not(None))).all() == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("sla.%"))
                           .order_by(AuditEvent.id)).all()
    assert actions == ["sla.policy_changed", "sla.policy_changed", "sla.hours_changed", "sla.hours_changed",
                       "sla.holiday_added", "sla.holiday_added", "sla.holiday_removed", "sla.policy_removed"]
    from portal_app.services import audit
    assert all(a in audit.SENTENCES for a in actions)


@pytest.mark.parametrize("call,field", [
    (lambda s, p: sla.do_set_policy(s, p, "urgent", first_response="0", resolution="60"), "first_response"),
    (lambda s, p: sla.do_set_policy(s, p, "urgent", first_response="ten", resolution="60"), "first_response"),
    (lambda s, p: sla.do_set_policy(s, p, "urgent", first_response=True, resolution="60"), "first_response"),
    (lambda s, p: sla.do_set_policy(s, p, "urgent", first_response="30", resolution="9" * 9), "resolution"),
    (lambda s, p: sla.do_set_policy(s, p, "urgent", first_response="90", resolution="60"), "first_response"),
    (lambda s, p: sla.do_set_policy(s, p, "asap", first_response="30", resolution="60"), "priority"),
    (lambda s, p: sla.do_set_policy(s, p, ["urgent"], first_response="30", resolution="60"), "priority"),
    (lambda s, p: sla.do_set_override(s, p, "", "low", first_response="30", resolution="60"), "org"),
    (lambda s, p: sla.do_set_hours(s, p, _week(d0={"opens": "25:00", "closes": "26:00"})), "day-0-opens"),
    (lambda s, p: sla.do_set_hours(s, p, _week(d1={"opens": "17:00", "closes": "09:00"})), "day-1-closes"),
    (lambda s, p: sla.do_set_hours(s, p, _week(d2={"opens": "9", "closes": "17:00"})), "day-2-opens"),
    (lambda s, p: sla.do_set_hours(s, p, _week(d3={"closed": "yes"})), "day-3-closed"),
    (lambda s, p: sla.do_set_hours(s, p, {d: {"closed": True} for d in range(7)}), None),
    (lambda s, p: sla.do_set_hours(s, p, {0: {"closed": True}}), None),
    (lambda s, p: sla.do_set_hours(s, p, "everything"), None),
    (lambda s, p: sla.do_add_holiday(s, p, day="2026-02-30", name="Never"), "day"),
    (lambda s, p: sla.do_add_holiday(s, p, day=["2026-12-25"], name="List"), "day"),
    (lambda s, p: sla.do_add_holiday(s, p, day="2026-12-25", name=""), "name"),
    (lambda s, p: sla.do_add_holiday(s, p, day="2026-12-25", name="x" * 81), "name"),
    (lambda s, p: sla.do_add_holiday(s, p, day="2026-01-01", name="Again"), "day"),
])
def test_bad_input_gets_a_message_next_to_its_field_and_changes_nothing(admin_world, call, field):
    session, people = admin_world
    session.add(Holiday(day=date(2026, 1, 1), name="New Year's Day"))
    session.commit()
    before = snapshot(session)
    with pytest.raises(Invalid) as err:
        call(session, people["staff"])
    assert err.value.field == field and err.value.message
    assert snapshot(session) == before


@pytest.mark.parametrize("bogus", [True, 1.0, "1", None, 10**12, -1])
def test_ids_of_the_wrong_type_or_unknown_are_not_found(admin_world, bogus):
    session, people = admin_world
    before = snapshot(session)
    for call in (lambda: sla.do_remove_holiday(session, people["staff"], bogus),
                 lambda: sla.do_remove_override(session, people["staff"], bogus if bogus is not None else 999,
                                                "low"),
                 lambda: sla.do_set_policy(session, people["staff"], "low", first_response="1", resolution="2",
                                           org_id=999 if bogus in (None, "1") else bogus)):
        with pytest.raises((NotFound, Invalid)):
            call()
    assert snapshot(session) == before


def test_the_row_words_for_the_lists():
    from portal_app.state.sla import duration, row_sla

    now = utc(2026, 11, 26, 10, 0)
    due = sla.Clock(now + timedelta(hours=4), now + timedelta(days=2), False, now + timedelta(hours=3), None)
    assert row_sla(due, "open", now, staff=True) == {"sla": "Reply due Thu 14:00 UTC", "sla_flag": ""}
    assert row_sla(due, "open", now, staff=False)["sla"] == "We aim to reply by Thu 14:00 UTC."
    assert row_sla(due, "open", now + timedelta(hours=3, minutes=1), staff=True)["sla_flag"] == "at_risk"
    assert row_sla(due, "open", now + timedelta(hours=5), staff=True)["sla_flag"] == "breached"
    assert row_sla(due, "open", now + timedelta(hours=5), staff=False)["sla"].startswith("We aimed to reply by")
    assert row_sla(due, "waiting", now, staff=False) == {"sla": "", "sla_flag": ""}
    assert row_sla(due, "resolved", now, staff=True) == {"sla": "", "sla_flag": ""}
    assert [duration(m) for m in (45, 60, 90, 510)] == ["45 min", "1 h", "1 h 30 min", "8 h 30 min"]


def test_promise_is_plain_for_every_state():
    now = utc(2026, 11, 26, 10, 0)
    clock = sla.Clock(None, now + timedelta(hours=3), True, None, None)
    assert sla.promise("open", clock, now) == "We aim to resolve this by Thu 13:00 UTC."
    assert sla.promise("waiting", clock, now) == ""
    assert sla.promise("open", sla.Clock(None, None, True, None, None), now) == ""


def test_the_demo_shows_promises_and_one_request_at_risk(session):
    from portal_app.services import demo

    with time_machine.travel(THURSDAY, tick=False):
        demo.load_demo_data(session)
        session.commit()
        rows = session.exec(select(Ticket.subject, Ticket.status, Ticket.first_response_due_at,
                                   Ticket.resolution_due_at, Ticket.sla_at_risk_at)).all()
        by_subject = {subject: (status, first, resolution, risk) for subject, status, first, resolution, risk in rows}
        csv = by_subject["CSV export times out for big reports"]
        assert csv[1] == THURSDAY + timedelta(minutes=40) and csv[3] <= THURSDAY  # at risk now
        sso = by_subject["How do we turn on single sign-on?"]
        assert sso[1] == utc(2026, 11, 27, 10, 0) and sso[3] > THURSDAY
        waiting = by_subject["Our invoices show last year's VAT number"]
        assert waiting[0] == "waiting" and waiting[1] is None and waiting[2] is None
        assert session.exec(select(Ticket).where(sla.queue_filters(THURSDAY)["at_risk"])).all()[0].subject == \
            "CSV export times out for big reports"
