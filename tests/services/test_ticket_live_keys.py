"""Which live keys each change to a support request publishes: its own
page's key (`ticket:<id>`) for what its customers and staff both see, the
staff-only key (`ticket:<id>:staff`) for internal notes and SLA flags, and
the lists' keys (the organisation's, the staff's). A change to one ticket
never names another ticket's key, so a page open on ticket A does not reload
when ticket B of the same organisation changes; an internal note never names
a key a customer's page watches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from portal_app.integrations import live
from portal_app.models import Ticket
from portal_app.models.base import utcnow
from portal_app.services import sla, ticket_merge, tickets
from tests.factories import register, sign_in, staff_admin
from tests.services.test_tickets import _raise


@pytest.fixture
def world(engine):
    with Session(engine, expire_on_commit=False) as session:
        register(session, "olive@example.com", company="Ours", name="Olive Owner")
        _, owner = sign_in(session, "olive@example.com")
        agent = staff_admin(session)
        a = _raise(session, owner, subject="Ticket A")
        b = _raise(session, owner, subject="Ticket B")
        session.commit()
        yield session, owner, agent, a, b


def _ticket_keys(heard: list[list[str]]) -> set[str]:
    """The keys of the last commit, without the audit logs' and the bells' (other tests cover those)."""
    return {key for key in heard[-1] if not key.endswith((":audit", ":notifications"))}


def _public(ticket: Ticket, *, org_lists: bool = True) -> set[str]:
    return {live.ticket_key(ticket.id), live.staff_key("tickets"),
            *([live.org_key(ticket.org_id, "tickets")] if org_lists else [])}


def _staff_only(ticket: Ticket) -> set[str]:
    return {live.ticket_key(ticket.id, staff=True), live.staff_key("tickets")}


def test_ticket_keys_are_ids_only():
    assert live.ticket_key(42) == "ticket:42"
    assert live.ticket_key("42", staff=True) == "ticket:42:staff"
    with pytest.raises(ValueError):
        live.ticket_key("42:staff")


def test_each_change_publishes_its_ticket_s_key_and_the_lists(world, heard):
    session, owner, agent, a, b = world
    heard.clear()
    changes = [
        ("raise", lambda: _raise(session, owner, subject="Ticket C"), None),
        ("customer reply", lambda: tickets.do_reply(session, owner, a.number, body="Any news?"), _public(a)),
        ("staff reply", lambda: tickets.do_reply(session, agent, a.number, body="Looking."), _public(a)),
        ("internal note", lambda: tickets.do_reply(session, agent, a.number, body="VIP", internal=True),
         _staff_only(a)),
        ("status", lambda: tickets.do_set_status(session, agent, a.number, "resolved"), _public(a)),
        ("reopen", lambda: tickets.do_reopen(session, owner, a.number), _public(a)),
        ("close", lambda: tickets.do_close(session, owner, a.number), _public(a)),
        ("assign", lambda: tickets.do_assign(session, agent, b.number, agent.user_id), _public(b, org_lists=False)),
        ("priority", lambda: tickets.do_set_priority(session, agent, b.number, "urgent"), _public(b)),
        ("category", lambda: tickets.do_set_category(session, agent, b.number,
                                                     tickets.categories(session)[1].id), _public(b)),
        ("unfollow", lambda: tickets.do_unfollow(session, owner, b.number), None),  # not following: nothing
        ("reopen again", lambda: tickets.do_reopen(session, owner, a.number), _public(a)),
        ("merge", lambda: ticket_merge.do_merge(session, agent, b.number, a.number), _public(a) | _public(b)),
    ]
    for name, change, expected in changes:
        before = len(heard)
        result = change()
        session.commit()
        if name == "raise":
            expected = _public(result)
        if expected is None:
            assert len(heard) == before, f"{name} published {heard[-1]}"
            continue
        assert len(heard) == before + 1, name
        assert _ticket_keys(heard) == expected, name


def test_a_change_to_ticket_b_never_names_ticket_a_s_page(world, heard):
    session, owner, agent, a, b = world
    for change in (lambda: tickets.do_reply(session, owner, b.number, body="B again"),
                   lambda: tickets.do_reply(session, agent, b.number, body="A note on B", internal=True),
                   lambda: tickets.do_set_status(session, agent, b.number, "resolved"),
                   lambda: tickets.do_assign(session, agent, b.number, agent.user_id)):
        change()
        session.commit()
        assert live.ticket_key(a.id) not in heard[-1]
        assert live.ticket_key(a.id, staff=True) not in heard[-1]


def test_an_internal_note_names_no_key_a_customer_page_watches(world, heard):
    session, owner, agent, a, _ = world
    tickets.do_reply(session, agent, a.number, body="The customer is about to churn", internal=True)
    session.commit()
    assert live.ticket_key(a.id) not in heard[-1]
    assert live.org_key(a.org_id, "tickets") not in heard[-1]
    assert live.ticket_key(a.id, staff=True) in heard[-1]


def test_an_sla_flag_reaches_the_staff_s_page_of_that_ticket_only(world, heard, engine):
    session, owner, agent, a, b = world
    ticket = session.get(Ticket, a.id)
    ticket.first_response_due_at = utcnow() - timedelta(minutes=5)
    session.add(ticket)
    session.commit()
    heard.clear()
    at_risk, breached = sla.flag_due(session)
    session.commit()
    assert breached >= 1
    keys = set().union(*heard)
    assert live.ticket_key(a.id, staff=True) in keys and live.staff_key("tickets") in keys
    assert live.ticket_key(a.id) not in keys and live.org_key(a.org_id, "tickets") not in keys
    assert live.ticket_key(b.id, staff=True) not in keys or session.get(Ticket, b.id).sla_breached_at is not None
