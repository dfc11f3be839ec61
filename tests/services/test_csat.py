"""Satisfaction ratings and the support report, the services: the
three-case permission base (rating and reading a rating: roles that see the
request, members who do not, another organisation's request, ids of the
wrong type, staff; the report: staff agents only), the rules (solved only,
one rating per request, who may change it and until when, merged
duplicates, reopening keeps it), bad input, audit, notification, live keys,
and the report's figures in a constant number of statements."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.integrations import live
from portal_app.models import AuditEvent, Notification, Ticket, TicketRating
from portal_app.models.base import utcnow
from portal_app.services import audit, csat, ticket_lists, ticket_merge, tickets
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.settings import load_settings
from tests.factories import statements
from tests.permissions import Permission, StaffPermission, permission_tests, staff_permission_tests
from tests.services.test_tickets import _raise, org  # noqa: F401 — the people fixture

SEE_ALL = ("owner", "admin")
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> **not bold**"


_SUBJECTS = itertools.count(1)


def _solved_ticket(session: Session, owner) -> int:
    """A request of the owner's, closed by them: ready to rate (a new one each time)."""
    number = _raise(session, owner, subject=f"Solved #{next(_SUBJECTS)} for {owner.email}").number
    tickets.do_close(session, owner, number)
    return number


def _rated_ticket(session: Session, owner) -> int:
    number = _solved_ticket(session, owner)
    csat.do_rate(session, owner, number, score=5, comment="Quick and kind")
    return number


def _rated(session, actor, number, rating) -> None:
    stored = session.exec(select(TicketRating).join(Ticket, Ticket.id == TicketRating.ticket_id)
                          .where(Ticket.number == number)).one()
    assert (stored.score, stored.comment, stored.rated_by_id) == (4, "Fine", actor.user_id)


def _seen(session, actor, number, view) -> None:
    assert (view.score, view.comment) == (5, "Quick and kind")


test_csat_permissions = permission_tests(
    # Whoever sees the request may rate it: owners and admins see the owner's; a member or a billing member
    # who does not see it gets "not found"; staff read ratings but never give them.
    Permission("rate", lambda s, p, number: csat.do_rate(s, p, number, score=4, comment="Fine"), SEE_ALL,
               target_row=_solved_ticket, refused=NotFound, staff_refused=Forbidden,
               refused_code=ErrorCode.FORBIDDEN, check=_rated),
    Permission("see the rating", lambda s, p, number: csat.rating_view(s, p, number), SEE_ALL,
               target_row=_rated_ticket, refused=NotFound, staff_allowed=True, check=_seen),
)

test_report_permissions = staff_permission_tests(
    StaffPermission("report", lambda s, p, _: csat.report(s, p, 30), lambda s, p: None, allowed=("admin", "agent"),
                    takes_id=False),
    StaffPermission("comments", lambda s, p, _: csat.comments(s, p, 7), lambda s, p: None,
                    allowed=("admin", "agent"), takes_id=False),
)


def _rating(session: Session, number: int) -> TicketRating | None:
    session.expire_all()
    return session.exec(select(TicketRating).join(Ticket, Ticket.id == TicketRating.ticket_id)
                        .where(Ticket.number == number)).first()


# --- the rules ---------------------------------------------------------------------------

def test_an_open_request_cannot_be_rated_yet(org):
    session, people = org
    number = _raise(session, people["owner"]).number
    with pytest.raises(Invalid) as err:
        csat.do_rate(session, people["owner"], number, score=5)
    assert err.value.message == "You can rate a request once it is resolved or closed."
    assert err.value.field == "score"
    assert _rating(session, number) is None
    assert csat.rating_view(session, people["owner"], number).can_rate is False
    tickets.do_set_status(session, people["staff"], number, "resolved")  # resolved by staff: now it can
    assert csat.rating_view(session, people["owner"], number).can_rate is True
    csat.do_rate(session, people["owner"], number, score=5)
    assert _rating(session, number).score == 5


@pytest.mark.parametrize("score", [0, 6, -1, "5", True, False, None, 4.5, [5], {"score": 5}])
def test_a_score_that_is_not_1_to_5_is_refused_next_to_its_field(org, score):
    session, people = org
    number = _solved_ticket(session, people["owner"])
    with pytest.raises(Invalid) as err:
        csat.do_rate(session, people["owner"], number, score=score, comment="kept?")
    assert (err.value.field, err.value.message) == ("score", "Choose a rating from 1 to 5.")
    assert _rating(session, number) is None


@pytest.mark.parametrize("comment", ["x" * 2001, ["a list"], 5, {"html": "<b>"}])
def test_a_comment_too_long_or_not_text_is_refused_next_to_its_field(org, comment):
    session, people = org
    number = _solved_ticket(session, people["owner"])
    with pytest.raises(Invalid) as err:
        csat.do_rate(session, people["owner"], number, score=3, comment=comment)
    assert err.value.field == "comment"
    assert _rating(session, number) is None


def test_a_comment_is_plain_text_stored_as_written_and_may_be_empty(org):
    session, people = org
    first, second = _solved_ticket(session, people["owner"]), _solved_ticket(session, people["owner"])
    csat.do_rate(session, people["owner"], first, score=2, comment=f"  {HOSTILE}\r\n" + "y" * 1900 + "  ")
    assert _rating(session, first).comment == f"{HOSTILE}\n" + "y" * 1900  # trimmed, never rendered or cleaned
    csat.do_rate(session, people["owner"], second, score=4, comment=None)
    assert _rating(session, second).comment == ""
    csat.do_rate(session, people["owner"], second, score=4, comment="z" * 2000)  # exactly the limit
    assert len(_rating(session, second).comment) == 2000


def test_one_rating_per_request_changed_only_by_its_rater_raiser_or_managers_within_the_window(org):
    session, people = org
    number = _raise(session, people["mia"], subject="Mia's").number
    tickets.do_follow(session, people["mia"], number, people["max"].user_id)
    tickets.do_close(session, people["mia"], number)
    session.commit()
    csat.do_rate(session, people["max"], number, score=2, comment="Slow")  # a follower gives the rating
    session.commit()
    with pytest.raises(NotFound):
        csat.do_rate(session, people["bill"], number, score=5)  # does not see it
    csat.do_rate(session, people["mia"], number, score=3)  # the raiser changes it
    csat.do_rate(session, people["max"], number, score=4, comment="Better")  # so does who rated it
    csat.do_rate(session, people["adam"], number, score=4, comment="Better")  # an admin; the same again: no change
    session.commit()
    rating = _rating(session, number)
    assert (rating.score, rating.comment, rating.rated_by_id, rating.changed_by_id) == (
        4, "Better", people["max"].user_id, people["max"].user_id)
    actions = session.exec(select(AuditEvent.action, AuditEvent.details).where(
        AuditEvent.action.in_(("ticket.rated", "ticket.rating_changed"))).order_by(AuditEvent.id)).all()
    assert [a for a, _ in actions] == ["ticket.rated", "ticket.rating_changed", "ticket.rating_changed"]
    # A member who follows it but neither raised nor rated it sees the rating, and cannot change it.
    other = _raise(session, people["owner"], subject="Owner's")
    tickets.do_follow(session, people["owner"], other.number, people["mia"].user_id)
    tickets.do_close(session, people["owner"], other.number)
    csat.do_rate(session, people["owner"], other.number, score=5)
    session.commit()
    assert csat.rating_view(session, people["mia"], other.number).score == 5
    assert csat.rating_view(session, people["mia"], other.number).can_rate is False
    with pytest.raises(Forbidden) as err:
        csat.do_rate(session, people["mia"], other.number, score=1)
    assert err.value.code == ErrorCode.ROLE_REQUIRED and "rated already" in err.value.message
    # After the reopening window, nobody changes it any more.
    later = utcnow() + timedelta(days=tickets.reopen_days() + 1)
    with time_machine.travel(later, tick=False):
        with pytest.raises(Invalid) as err:
            csat.do_rate(session, people["mia"], number, score=5)
        assert err.value.code == ErrorCode.TOO_LATE
        assert csat.rating_view(session, people["mia"], number).can_rate is False
    assert _rating(session, number).score == 4


def test_a_first_rating_may_come_after_the_window(org):
    session, people = org
    number = _solved_ticket(session, people["owner"])
    session.commit()
    with time_machine.travel(utcnow() + timedelta(days=tickets.reopen_days() + 5), tick=False):
        csat.do_rate(session, people["owner"], number, score=3)
    assert _rating(session, number).score == 3


def test_a_merged_duplicate_is_not_rated(org):
    session, people = org
    keep = _raise(session, people["owner"], subject="Keep").number
    duplicate = _raise(session, people["owner"], subject="Duplicate").number
    ticket_merge.do_merge(session, people["staff"], duplicate, keep)
    with pytest.raises(Invalid) as err:
        csat.do_rate(session, people["owner"], duplicate, score=5)
    assert "merged" in err.value.message


def test_reopening_keeps_the_rating_for_staff_and_the_customer_changes_it_once_solved_again(org):
    session, people = org
    number = _rated_ticket(session, people["owner"])
    tickets.do_reopen(session, people["owner"], number)
    session.commit()
    staff_view = csat.rating_view(session, people["staff"], number)
    assert (staff_view.score, staff_view.reopened, staff_view.can_rate) == (5, True, False)
    mine = csat.rating_view(session, people["owner"], number)
    assert (mine.score, mine.can_rate) == (5, False)
    with pytest.raises(Invalid):
        csat.do_rate(session, people["owner"], number, score=1)
    tickets.do_set_status(session, people["staff"], number, "resolved")
    csat.do_rate(session, people["owner"], number, score=3)
    assert _rating(session, number).score == 3
    assert csat.rating_view(session, people["staff"], number).reopened is False


def test_a_rating_tells_the_assignee_or_else_every_agent_and_never_a_customer(org):
    session, people = org
    unassigned = _solved_ticket(session, people["owner"])
    csat.do_rate(session, people["owner"], unassigned, score=1, comment="Nobody answered")
    assigned = _raise(session, people["owner"]).number
    tickets.do_assign(session, people["staff"], assigned, people["staff"].user_id)
    tickets.do_close(session, people["owner"], assigned)
    session.commit()
    before = len(session.exec(select(Notification).where(Notification.event == "ticket_rated")).all())
    csat.do_rate(session, people["owner"], assigned, score=5)
    session.commit()
    told = session.exec(select(Notification.user_id).where(Notification.event == "ticket_rated")).all()
    assert len(told) == before + 1 and told[-1] == people["staff"].user_id
    customers = {p.user_id for name, p in people.items() if name not in ("staff",)}
    assert not customers & set(told)
    assert "rated T-" in audit.SENTENCES["ticket.rated"](audit.Said("Olive", "T-1001", "", {"score": 5}))


def test_a_rating_reloads_its_page_and_the_staff_console_only(org, monkeypatch):
    session, people = org
    monkeypatch.setattr(live, "get_settings", lambda: dataclasses.replace(load_settings(), redis_url=None))
    number = _solved_ticket(session, people["owner"])
    session.commit()
    heard: list[list[str]] = []
    stop = live.listen(heard.append)
    try:
        csat.do_rate(session, people["owner"], number, score=4)
        session.commit()
    finally:
        stop()
    ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).one()
    keys = {k for k in heard[-1] if not k.endswith((":audit", ":notifications"))}
    assert keys == {live.ticket_key(ticket_id), live.staff_key("tickets")}


def test_the_agent_console_row_shows_the_rating(org):
    session, people = org
    rated = _rated_ticket(session, people["owner"])
    plain = _raise(session, people["owner"]).number
    session.commit()
    rows = {r.number: r.rating for r in ticket_lists.list_tickets(session, people["staff"], queue="").rows}
    assert rows[rated] == 5 and rows[plain] is None


# --- the report ----------------------------------------------------------------------------

def _backdate(session: Session, number: int, **columns) -> None:
    session.execute(update(Ticket).where(Ticket.number == number).values(**columns))


def test_the_report_counts_and_medians_in_wall_clock_time(org):
    session, people = org
    owner, staff = people["owner"], people["staff"]
    now = utcnow()
    # Three requests raised in the last week: first replies after 10, 20 and 60 minutes; two solved after 2 and
    # 4 hours. One raised long ago, solved yesterday after 10 days. One merged duplicate (raised, never "solved").
    numbers = [_raise(session, owner, subject=f"R{i}").number for i in range(5)]
    for number in numbers:
        tickets.do_reply(session, staff, number, body="On it")
    tickets.do_close(session, owner, numbers[0])
    tickets.do_close(session, owner, numbers[1])
    tickets.do_set_status(session, staff, numbers[3], "resolved")
    dup = _raise(session, owner, subject="Dup").number
    ticket_merge.do_merge(session, staff, dup, numbers[2])
    start = now - timedelta(days=2)
    _backdate(session, numbers[0], created_at=start, first_responded_at=start + timedelta(minutes=10),
              closed_at=start + timedelta(hours=2))
    _backdate(session, numbers[1], created_at=start, first_responded_at=start + timedelta(minutes=20),
              closed_at=start + timedelta(hours=4))
    _backdate(session, numbers[2], created_at=start, first_responded_at=start + timedelta(minutes=60))
    old = now - timedelta(days=11)
    _backdate(session, numbers[3], created_at=old, first_responded_at=old + timedelta(minutes=5),
              resolved_at=old + timedelta(days=10))
    _backdate(session, numbers[4], created_at=now - timedelta(days=200), first_responded_at=now - timedelta(days=199))
    _backdate(session, dup, created_at=start)
    for number, score, comment in ((numbers[0], 5, "Great"), (numbers[1], 2, ""), (numbers[3], 4, HOSTILE)):
        csat.do_rate(session, owner, number, score=score, comment=comment)
    session.commit()
    week = csat.report(session, staff, 7)
    # Raised: R0, R1, R2 and the duplicate. Solved: R0, R1 and R3 (raised long ago, solved a day ago).
    assert (week.raised, week.solved) == (4, 3)
    assert week.first_response_minutes == 20.0  # R0, R1, R2 (R3's and R4's came before the period)
    assert week.resolution_minutes == 240.0  # 2 h, 4 h, 10 days
    assert week.ratings == 3 and week.average == pytest.approx(11 / 3)
    assert week.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    page = csat.comments(session, staff, 7)
    assert [(r.number, r.score, r.comment) for r in page.rows] == [(numbers[3], 4, HOSTILE), (numbers[0], 5, "Great")]
    with pytest.raises(Invalid):
        csat.report(session, staff, 365)
    for bad in ("30", True, None, 30.0):
        with pytest.raises(Invalid):
            csat.report(session, staff, bad)


def test_the_report_solves_resolution_medians(org):
    session, people = org
    owner, staff = people["owner"], people["staff"]
    now = utcnow()
    numbers = [_raise(session, owner, subject=f"S{i}").number for i in range(3)]
    for number, hours in zip(numbers, (1, 3, 8), strict=True):
        tickets.do_set_status(session, staff, number, "resolved")
        _backdate(session, number, created_at=now - timedelta(days=1),
                  resolved_at=now - timedelta(days=1, hours=-hours))
    session.commit()
    got = csat.report(session, staff, 30)
    assert got.solved == 3 and got.resolution_minutes == 180.0
    empty = csat.report(session, staff, 7)
    assert empty.ratings == 0 and empty.average is None


def test_the_report_costs_the_same_statements_however_many_requests(org):
    session, people = org
    owner, staff = people["owner"], people["staff"]

    def cost() -> int:
        session.expunge_all()
        with statements(session) as seen:
            csat.report(session, staff, 30)
            csat.comments(session, staff, 30)
        return len(seen)

    few = cost()
    for i in range(12):
        number = _solved_ticket(session, owner)
        csat.do_rate(session, owner, number, score=1 + i % 5, comment=f"Comment {i}")
    session.commit()
    assert cost() == few
    assert csat.comments(session, staff, 30).pages == 2


def test_two_first_ratings_at_once_keep_the_first_and_say_so(org, monkeypatch):
    session, people = org
    number = _rated_ticket(session, people["owner"])
    session.commit()
    real_get = session.get
    # The second person read "not rated yet" just before the first rating was committed.
    monkeypatch.setattr(session, "get", lambda model, key, **kw: None if model is TicketRating
                        else real_get(model, key, **kw))
    with pytest.raises(Invalid) as err:
        csat.do_rate(session, people["adam"], number, score=1, comment="Mine")
    assert err.value.field == "score" and "a moment ago" in err.value.message
    monkeypatch.undo()
    assert (_rating(session, number).score, _rating(session, number).comment) == (5, "Quick and kind")


def test_rating_and_the_report_on_both_databases(any_engine):
    from tests.factories import register, sign_in, staff_admin

    with Session(any_engine, expire_on_commit=False) as session:
        register(session, "rita@example.com", company="Rated Co", name="Rita")
        _, owner = sign_in(session, "rita@example.com")
        staff = staff_admin(session, email="csat-staff@example.com")
        number = _raise(session, owner, subject="Both databases").number
        tickets.do_reply(session, staff, number, body="Answered")
        tickets.do_set_status(session, staff, number, "resolved")
        csat.do_rate(session, owner, number, score=4, comment=HOSTILE)
        session.commit()
        monkey_get = session.get
        session.get = lambda model, key, **kw: None if model is TicketRating else monkey_get(model, key, **kw)
        with pytest.raises(Invalid):  # a second first rating: refused, and the transaction still usable
            csat.do_rate(session, owner, number, score=1)
        session.get = monkey_get
        got = csat.report(session, staff, 7)
        assert (got.raised, got.solved, got.ratings, got.average) == (1, 1, 1, 4.0)
        assert got.first_response_minutes is not None and got.resolution_minutes is not None
        assert [r.comment for r in csat.comments(session, staff, 7).rows] == [HOSTILE]
        session.rollback()
