"""Two people acting at the same moment, on SQLite and PostgreSQL: each side
runs in its own thread and its own `session_scope` (the real transaction of
an action), released together by a barrier. The organisation keeps an owner,
an invitation is accepted once, and the side that loses gets a clear
PortalError, never a database error."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from portal_app.db import session_scope
from portal_app.models import Membership, User
from portal_app.services import members
from portal_app.services.errors import PortalError
from tests.factories import PASSWORD, last_mail, register, sign_in, token_from


def _race(engine, *calls: Callable[[Session], object]) -> list[object]:
    """Run each call in its own thread and transaction, all starting at once;
    returns each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[Session], object]) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                results[i] = call(session)
        except Exception as err:  # noqa: BLE001 — the test inspects what each side got
            results[i] = err

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a side never finished (deadlock?)"
    return results


def _one_won(results: list[object], message: str) -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], PortalError), repr(errors[0])
    assert message in errors[0].message


@pytest.fixture
def two_owners(any_engine):
    """Ada and Bob both own Analytical Engines; nothing is left open."""
    with Session(any_engine, expire_on_commit=False) as session:
        register(session)
        _, ada = sign_in(session)
        org_id = ada.current.org_id
        members.invite(session, ada, org_id, email="bob@example.com", role="owner")
        members.accept_new_account(session, token_from(last_mail(session, "bob@example.com").body,
                                                       "/invitations/accept"), name="Bob", password=PASSWORD)
        session.commit()
        _, bob = sign_in(session, "bob@example.com")
        ids = {u.email: m.id for m, u in session.exec(
            select(Membership, User).join(User, User.id == Membership.user_id)
            .where(Membership.org_id == org_id)).all()}
    return any_engine, org_id, ada, bob, ids["ada@example.com"], ids["bob@example.com"]


def _owners(engine, org_id: int) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Membership.user_id).where(Membership.org_id == org_id,
                                                                  Membership.role == "owner")).all())


@pytest.mark.parametrize("a_does,b_does", [("demote", "remove"), ("remove", "remove"), ("demote", "demote"),
                                           ("remove", "demote")])
def test_two_owners_acting_on_each_other_leave_an_owner(two_owners, a_does, b_does):
    engine, org_id, ada, bob, ada_mid, bob_mid = two_owners

    def act(verb, principal, target):
        if verb == "demote":
            return lambda s: members.change_role(s, principal, org_id, target, role="member")
        return lambda s: members.remove_member(s, principal, org_id, target)

    results = _race(engine, act(a_does, ada, bob_mid), act(b_does, bob, ada_mid))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], PortalError), repr(errors[0])
    assert errors[0].message in (members.LAST_OWNER, members.ROLE_CHANGED, members.NO_LONGER_MEMBER)
    assert len(_owners(engine, org_id)) == 1


def test_both_owners_leaving_at_once_leave_one(two_owners):
    engine, org_id, ada, bob, ada_mid, bob_mid = two_owners
    results = _race(engine, lambda s: members.remove_member(s, ada, org_id, ada_mid),
                    lambda s: members.remove_member(s, bob, org_id, bob_mid))
    _one_won(results, members.LAST_OWNER)
    assert len(_owners(engine, org_id)) == 1


@pytest.fixture
def invitation(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        register(session)
        register(session, "carol@example.com", company="Carol Ltd", name="Carol")
        _, ada = sign_in(session)
        _, carol = sign_in(session, "carol@example.com")
        members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="member")
        members.invite(session, ada, ada.current.org_id, email="carol@example.com", role="member")
        session.commit()
        links = {to: token_from(last_mail(session, to).body, "/invitations/accept")
                 for to in ("bob@example.com", "carol@example.com")}
    return any_engine, ada.current.org_id, carol, links


def test_one_invitation_accepted_twice_at_once_makes_one_account(invitation):
    engine, org_id, _, links = invitation
    raw = links["bob@example.com"]
    results = _race(engine, *[lambda s: members.accept_new_account(s, raw, name="Bob", password=PASSWORD).id] * 2)
    _one_won(results, "already been accepted")
    with Session(engine) as session:
        bobs = session.exec(select(User.id).where(User.email == "bob@example.com")).all()
        assert len(bobs) == 1
        assert len(session.exec(select(Membership).where(Membership.user_id == bobs[0])).all()) == 1


def test_one_invitation_accepted_twice_by_a_signed_in_person(invitation):
    engine, org_id, carol, links = invitation
    raw = links["carol@example.com"]
    results = _race(engine, *[lambda s: members.accept_as(s, carol, raw)] * 2)
    _one_won(results, "already been accepted")
    with Session(engine) as session:
        assert len(session.exec(select(Membership).where(Membership.user_id == carol.user_id,
                                                         Membership.org_id == org_id)).all()) == 1
