"""Live pages across instances (issue 12, Landing 5): on two portal
instances sharing PostgreSQL and Redis (`two_instances`), what one person
does through instance `a` appears within 2 seconds on another person's page
held open on instance `b`, pushed without any event from that page: the
change signal crosses on Redis pub/sub, `b` finds the watching tab in the
Redis registry, reloads it for its own person, and sends the delta down the
socket it holds.

The watcher's tab is a websocket client speaking Reflex's protocol
(tests/ws_client.py): after its page load it sends nothing more, and only
waits for what the server pushes."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from portal_app.models import User
from portal_app.services import members
from portal_app.state.members import MembersState
from portal_app.state.session import SessionState
from portal_app.state.tickets import TicketState
from tests import factories
from tests.test_scale_out import _person, db, sign_in_through  # noqa: F401 — `db` is a fixture
from tests.ws_client import ReflexClient, handler_name

pytestmark = pytest.mark.postgres

LIVE_SECONDS = 2.0


def _colleague(engine, owner_email: str, role: str) -> str:
    """Someone invited by the owner who joined with a new account (so the
    owner's organisation is their only one, and their current one)."""
    email = f"colleague-{time.monotonic_ns()}@example.com"
    with Session(engine, expire_on_commit=False) as session:
        _, owner = factories.sign_in(session, owner_email)
        members.invite(session, owner, owner.current.org_id, email=email, role=role)
        session.commit()
        link = factories.token_from(factories.last_mail(session, email).body, "/invitations/accept")
        members.accept_new_account(session, link, name="Wendy Watcher", password=factories.PASSWORD)
        session.commit()
    return email


def _open(tab: ReflexClient, path: str, *loads: str) -> None:
    """A page load as the browser does it: hydrate, the shell's check, the page's own loads."""
    tab.hydrate(path)
    tab.call(handler_name(SessionState, "require_login"))
    for handler in loads:
        tab.call(handler)


def test_a_change_through_a_reaches_a_page_open_on_b(two_instances, db):  # noqa: F811 — the fixture
    owner, _ = _person(db, "crossowner")
    watcher = _colleague(db, owner, "admin")
    owner_cookie, watcher_cookie = sign_in_through(two_instances.a, owner), sign_in_through(two_instances.b, watcher)
    guest = f"guest-{time.monotonic_ns()}@example.com"
    members_state, session_state = MembersState.get_full_name(), SessionState.get_full_name()
    with ReflexClient(two_instances.b.url, cookie=watcher_cookie) as seen, \
            ReflexClient(two_instances.a.url, cookie=owner_cookie) as acting:
        _open(seen, "/organisation", handler_name(MembersState, "load"))
        assert seen.state()[members_state]["can_manage_rx_state_"] is True
        unread = seen.state()[session_state]["unread_rx_state_"]
        _open(acting, "/organisation", handler_name(MembersState, "load"))

        # The owner invites someone through a: the admin's members page on b lists the invitation.
        started = time.monotonic()  # from the click: what the person on b waits
        acting.call(handler_name(MembersState, "invite"), {"form": {"email": guest, "role": "member"}})
        seen.wait_for(lambda s: any(i.get("email") == guest for i in s[members_state].get("invitations_rx_state_", [])),
                      LIVE_SECONDS)
        took = time.monotonic() - started

        # The owner makes them a billing member through a: their role and their bell change on b.
        with Session(db) as session:
            watcher_id = session.exec(select(User.id).where(User.email == watcher)).one()
        membership = next(m["id"] for m in acting.state()[members_state]["members_rx_state_"]
                          if m["email"] == watcher)
        started = time.monotonic()
        acting.call(handler_name(MembersState, "set_role"), {"membership_id": membership, "role": "billing"})
        seen.wait_for(lambda s: s[session_state]["unread_rx_state_"] == unread + 1
                      and not s[members_state]["can_manage_rx_state_"], LIVE_SECONDS)
        took_role = time.monotonic() - started
    assert watcher_id and took < LIVE_SECONDS and took_role < LIVE_SECONDS
    print(f"\ncrossed from a to b in {took * 1000:.0f} ms (invitation) and {took_role * 1000:.0f} ms (role, bell)")


def test_a_change_made_by_another_process_reaches_a_ticket_page_on_b(two_instances, db, monkeypatch):  # noqa: F811
    """A job worker, the command line, another machine: whatever commits a
    change publishes it on Redis, and the page open on b shows it."""
    import dataclasses

    from portal_app.integrations import live
    from portal_app.services import tickets
    from portal_app.settings import load_settings

    scaled = dataclasses.replace(load_settings(), redis_url=two_instances.redis_url)
    monkeypatch.setattr(live, "get_settings", lambda: scaled)

    customer, _ = _person(db, "crosscustomer")
    with Session(db, expire_on_commit=False) as session:
        _, principal = factories.sign_in(session, customer)
        number = tickets.do_raise(session, principal, principal.current.org_id,
                                  category=tickets.categories(session)[0].id, subject="Across machines",
                                  body="Hello from b").number
        agent = factories.staff_admin(session, email=f"agent-{number}@example.com", name="Agent Across")
        session.commit()
    route = f"/tickets/[ticket_number]?ticket_number={number}"
    ticket_state = TicketState.get_full_name()
    customer_cookie = sign_in_through(two_instances.b, customer)
    with ReflexClient(two_instances.b.url, cookie=customer_cookie) as seen:
        _open(seen, route, handler_name(TicketState, "load"))
        assert seen.state()[ticket_state]["found_rx_state_"] is True
        started = time.monotonic()
        with Session(db, expire_on_commit=False) as session:
            # This test process is the other machine: its commit publishes on the same Redis.
            tickets.do_reply(session, agent, number, body="Answered on another machine")
            session.commit()
        seen.wait_for(lambda s: any("another machine" in m.get("html", "")
                                    for m in s[ticket_state].get("messages_rx_state_", [])), LIVE_SECONDS)
        took = time.monotonic() - started
    assert took < LIVE_SECONDS
    print(f"\nfrom another process's commit to the page on b in {took * 1000:.0f} ms")
