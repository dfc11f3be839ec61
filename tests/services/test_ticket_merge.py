"""Merging a duplicate ticket, the services: the permission base (staff
agents only: customers refused, another organisation's ticket not found,
ids of the wrong type not found), what a merge moves and tells (messages
with attachments and internal notes in time order, followers, a closed and
marked duplicate, a public message on both, notifications, the audit, the
live signal), and what it refuses (itself, another organisation's ticket, a
closed or merged one, chains, bad numbers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Notification, Ticket, TicketAttachment, TicketFollower, TicketMessage
from portal_app.models.base import utcnow
from portal_app.services import files, ticket_lists, ticket_merge, tickets
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from tests.permissions import Permission, permission_tests
from tests.services.test_tickets import PDF, _raise, org  # noqa: F401 — `org` is a fixture

STAFF_ONLY = dict(allowed=(), staff_allowed=True, refused=Forbidden, refused_code=ErrorCode.STAFF_ONLY)


def _two_tickets(session: Session, owner) -> int:  # noqa: ANN001
    """Two tickets every member of the owner's organisation sees: the
    duplicate (returned) and the one to merge it into (`session.info`)."""
    tickets.set_open_to_members(session, owner, owner.current.org_id, value=True)
    into = _raise(session, owner, subject=f"Original of {owner.email}")
    session.info["merge_into"] = tickets.label(into.number)
    return _raise(session, owner, subject=f"Duplicate of {owner.email}").number


def _merged(session, actor, number, target) -> None:  # noqa: ANN001
    duplicate = session.exec(select(Ticket).where(Ticket.number == number)).one()
    assert duplicate.status == "closed" and duplicate.merged_into_id == target.id
    assert tickets.label(target.number) == session.info["merge_into"]


test_merge_permissions = permission_tests(
    Permission("merge", lambda s, p, number: ticket_merge.do_merge(s, p, number, s.info["merge_into"]),
               target_row=_two_tickets, check=_merged, **STAFF_ONLY),
    Permission("check merge", lambda s, p, number: ticket_merge.check_merge(s, p, number, s.info["merge_into"]),
               target_row=_two_tickets, **STAFF_ONLY),
)


def _bodies(session: Session, ticket: Ticket) -> list[tuple[str, bool]]:
    return [(m.body, m.internal) for m in session.exec(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.created_at, TicketMessage.id)).all()]


def _at(session: Session, message: TicketMessage, minutes: int) -> None:
    """Date a message `minutes` after an hour ago (so time order can be seen)."""
    session.execute(update(TicketMessage).where(TicketMessage.id == message.id)
                    .values(created_at=utcnow() - timedelta(hours=1) + timedelta(minutes=minutes)))


def test_a_merge_moves_the_conversation_in_time_order_with_followers_and_tells_everyone(org, tmp_path):  # noqa: F811
    import dataclasses

    from portal_app.integrations.storage import make_storage
    from portal_app.settings import load_settings

    storage = make_storage(dataclasses.replace(load_settings(), data_dir=tmp_path, s3_bucket=None))
    session, people = org
    staff, mia, max_, owner = people["staff"], people["mia"], people["max"], people["owner"]
    target = _raise(session, owner, subject="Printer on fire")
    upload = files.store(session, mia, mia.current.org_id, kind=tickets.ATTACHMENT_KIND, filename="smoke.pdf",
                         chunks=[PDF], storage=storage).id
    duplicate = tickets.do_raise(session, mia, mia.current.org_id, category=target.category_id,
                                 subject="Printer smoking", body="Smoke everywhere", attachments=[upload])
    tickets.do_follow(session, mia, duplicate.number, max_.user_id)
    note = tickets.do_reply(session, staff, duplicate.number, body="Same as the other one", internal=True)
    reply = tickets.do_reply(session, staff, target.number, body="Firefighters called")
    first_dup, first_target = (session.exec(select(TicketMessage).where(TicketMessage.ticket_id == t.id)
                                            .order_by(TicketMessage.id)).first() for t in (duplicate, target))
    for message, minutes in ((first_target, 0), (first_dup, 10), (note, 20), (reply, 30)):
        _at(session, message, minutes)
    session.commit()
    assert _numbers_seen(session, max_) == [duplicate.number]  # Max sees the duplicate (he follows it) only

    plan = ticket_merge.check_merge(session, staff, duplicate.number, f"t-{target.number}")
    assert (plan.duplicate, plan.into, plan.org, plan.messages) == (duplicate.number, target.number, "Ours", 2)
    ticket_merge.do_merge(session, staff, duplicate.number, str(target.number))
    session.commit()

    dup_label, into_label = tickets.label(duplicate.number), tickets.label(target.number)
    assert _bodies(session, target) == [
        ("It started this morning.", False), ("Smoke everywhere", False), ("Same as the other one", True),
        ("Firefighters called", False),
        (f"{dup_label} was merged into this request: its messages now appear in this conversation, in time order.",
         False)]
    assert _bodies(session, duplicate) == [
        (f"This request was merged into {into_label}, where the conversation continues: its messages are there "
         "now.", False)]
    session.refresh(duplicate)
    assert (duplicate.status, duplicate.merged_into_id) == ("closed", target.id) and duplicate.closed_at
    followers = set(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == target.id)).all())
    assert followers == {mia.user_id, max_.user_id}
    # The attachment went with its message, and whoever reads the target reads it.
    moved = session.exec(select(TicketMessage.ticket_id).join(TicketAttachment, TicketAttachment.message_id ==
                                                              TicketMessage.id)
                         .where(TicketAttachment.file_id == upload)).one()
    assert moved == target.id
    for reader in (mia, max_, owner, staff):
        assert files.access_file(session, reader, upload).id == upload
    # Customers see the target now, without the note, and the duplicate's page points there.
    assert sorted(_numbers_seen(session, max_)) == sorted([duplicate.number, target.number])
    view = tickets.ticket_view(session, max_, target.number)
    assert all(not m.internal for m in view.messages) and len(view.messages) == 4
    dup_view = tickets.ticket_view(session, mia, duplicate.number)
    assert dup_view.merged_into == target.number
    assert not (dup_view.can_reply or dup_view.can_reopen or dup_view.can_close)
    # Each customer of either ticket is told once; the agent is not; it is audited in the organisation.
    told = session.exec(select(Notification.user_id).where(Notification.event == "ticket_merged")).all()
    assert sorted(told) == sorted([owner.user_id, mia.user_id, max_.user_id])
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.merged")).one()
    assert (event.org_id, event.target_label) == (owner.current.org_id, dup_label) and into_label in event.details


def _numbers_seen(session: Session, principal) -> list[int]:  # noqa: ANN001
    return [row.number for row in ticket_lists.list_tickets(session, principal).rows]


def test_a_merged_duplicate_takes_no_reply_reopening_or_status_change(org):  # noqa: F811
    session, people = org
    staff, mia = people["staff"], people["mia"]
    target, duplicate = _raise(session, mia, subject="One"), _raise(session, mia, subject="Two")
    ticket_merge.do_merge(session, staff, duplicate.number, target.number)
    session.commit()
    for refused in (lambda: tickets.do_reply(session, mia, duplicate.number, body="Hello?"),
                    lambda: tickets.do_reopen(session, mia, duplicate.number),
                    lambda: tickets.do_reply(session, staff, duplicate.number, body="x"),
                    lambda: tickets.do_reply(session, staff, duplicate.number, body="x", internal=True),
                    lambda: tickets.do_reopen(session, staff, duplicate.number),
                    lambda: tickets.do_set_status(session, staff, duplicate.number, "open")):
        with pytest.raises(Invalid, match="merged"):
            refused()
        session.rollback()
    assert session.get(Ticket, duplicate.id).status == "closed"


@pytest.mark.parametrize("into", ["", None, "T-", "yesterday", "T-1001; DROP TABLE tickets", ["1001"], {"n": 1},
                                  True, 1.5, 0, -1, 10**12, "٣"])
def test_a_number_that_is_not_one_is_refused_next_to_its_field(org, into):  # noqa: F811
    session, people = org
    duplicate = _raise(session, people["mia"])
    with pytest.raises(Invalid) as err:
        ticket_merge.check_merge(session, people["staff"], duplicate.number, into)
    assert err.value.field == ticket_merge.FIELD and "like T-1042" in err.value.message


def test_merges_that_would_lose_or_leak_something_are_refused(org):  # noqa: F811
    session, people = org
    staff, mia = people["staff"], people["mia"]
    a, b, c = (_raise(session, mia, subject=s) for s in ("A", "B", "C"))
    theirs = _raise(session, people["theirs"], subject="Theirs")
    closed = _raise(session, mia, subject="Closed")
    tickets.do_close(session, mia, closed.number)
    session.commit()

    def refused(number: int, into: object, words: str) -> None:
        with pytest.raises(Invalid, match=words):
            ticket_merge.do_merge(session, staff, number, into)
        session.rollback()

    refused(a.number, a.number, "itself")
    refused(a.number, tickets.label(theirs.number), "another organisation")
    refused(theirs.number, a.number, "another organisation")
    refused(a.number, closed.number, "closed")
    refused(a.number, 999_999, "There is no request T-999999")
    ticket_merge.do_merge(session, staff, b.number, a.number)  # B into A
    session.commit()
    refused(c.number, b.number, "itself merged")  # into a merged one
    refused(b.number, c.number, "already been merged")
    refused(a.number, c.number, "Other requests were merged into this one")  # A then C: a chain B -> A -> C
    # A closed duplicate that was never merged may be merged.
    tickets.do_close(session, mia, c.number)
    ticket_merge.do_merge(session, staff, c.number, a.number)
    session.commit()
    assert session.get(Ticket, c.id).merged_into_id == a.id
    with pytest.raises(NotFound):
        ticket_merge.do_merge(session, staff, 999_999, a.number)
    with pytest.raises(NotFound):  # a customer of another organisation: the duplicate does not exist for them
        ticket_merge.do_merge(session, people["theirs"], a.number, c.number)


def test_the_merge_publishes_one_change_for_both_pages(org, monkeypatch):  # noqa: F811
    from portal_app.integrations import live as live_signal

    session, people = org
    a, b = _raise(session, people["mia"], subject="A"), _raise(session, people["mia"], subject="B")
    session.commit()
    published: list[str] = []
    monkeypatch.setattr(live_signal, "publish", lambda keys: published.extend(keys))
    ticket_merge.do_merge(session, people["staff"], b.number, a.number)
    assert published == []  # nothing before the commit
    session.commit()
    org_id = people["mia"].current.org_id
    assert {f"org:{org_id}:tickets", "staff:tickets"} <= set(published)
