"""The dashboard's hot path: resolving the person behind a cookie and reading
what the dashboard shows each take one SQL statement, however many
organisations and sessions the person has (counted on the engine), and the
one statement gives the same facts as the slower services it replaces."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal_app.models import LoginSession, Membership
from portal_app.models.base import utcnow
from portal_app.services import dashboard, members, mfa, organizations, sessions
from portal_app.services.principal import Principal
from portal_app.services.tokens import hash_secret
from tests.factories import enable_mfa, last_mail, register, sign_in, token_from
from tests.factories import statements as _statements


def _join_other_organisations(session: Session, email: str, count: int) -> None:
    """`email` becomes a member of `count` more organisations, through real
    invitations accepted by them."""
    raw, person = sign_in(session, email)
    for i in range(count):
        owner_email = f"owner{i}@example.com"
        register(session, owner_email, company=f"Other {i} Ltd", name=f"Owner {i}")
        _, owner = sign_in(session, owner_email)
        members.invite(session, owner, owner.current.org_id, email=email, role="member")
        session.commit()
        members.accept_as(session, person, token_from(last_mail(session, email).body, "/invitations/accept"))
        session.commit()
    sessions.end(session, raw)
    session.commit()


def _costs(engine: Engine, raw: str) -> tuple[int, int, Principal]:
    """(statements to resolve the cookie, statements to read the dashboard)."""
    with Session(engine) as session, _statements(engine) as seen:
        principal = sessions.resolve(session, raw)
        resolving = len(seen)
        dashboard.summary(session, principal)
        return resolving, len(seen) - resolving, principal


def test_one_statement_each_however_many_organisations_and_sessions(any_engine):
    with Session(any_engine) as session:
        register(session)
        raw, _ = sign_in(session)
    assert _costs(any_engine, raw)[:2] == (1, 1)

    with Session(any_engine) as session:
        _join_other_organisations(session, "ada@example.com", 4)
        for _ in range(5):
            sign_in(session)
    resolving, reading, principal = _costs(any_engine, raw)
    assert len(principal.memberships) == 5  # the statements did see them all
    assert (resolving, reading) == (1, 1)


def test_the_once_a_minute_touch_is_the_only_extra_statement(engine):
    with Session(engine) as session:
        register(session)
        raw, _ = sign_in(session)
        row = session.exec(select(LoginSession).where(LoginSession.token_hash == hash_secret(raw))).one()
        row.last_seen_at = utcnow() - sessions.TOUCH_EVERY - timedelta(seconds=1)
        session.add(row)
        session.commit()
    with Session(engine) as session, _statements(engine) as seen:
        assert sessions.resolve(session, raw) is not None
        session.commit()
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in seen) == 1
    assert sum(s.lstrip().upper().startswith("SELECT") for s in seen) == 1


def test_summary_gives_what_the_separate_services_give(any_engine):
    with Session(any_engine) as session:
        register(session)
        register(session, "bob@example.com", company="Bob's", name="Bob")
        raw, ada = sign_in(session)
        sign_in(session)
        stale, _ = sign_in(session)
        ended, _ = sign_in(session)
        sessions.end(session, ended)
        row = session.exec(select(LoginSession).where(LoginSession.token_hash == hash_secret(stale))).one()
        row.last_seen_at = utcnow() - sessions.idle_timeout() - timedelta(seconds=1)  # idle too long
        session.add(row)
        session.commit()
        members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="member")
        session.commit()
        _, bob = sign_in(session, "bob@example.com")
        members.accept_as(session, bob, token_from(last_mail(session, "bob@example.com").body,
                                                   "/invitations/accept"))
        enable_mfa(session, ada)
        mfa.set_requirement(session, sessions.resolve(session, raw), ada.current.org_id, required=True)
        session.commit()
        ada = sessions.resolve(session, raw)
        facts = dashboard.summary(session, ada)
        assert facts.session_count == len(sessions.list_for(session, ada)) == 2
        org = organizations.access_organization(session, ada, ada.current.org_id)
        assert facts.org_requires_mfa is org.require_mfa is True
        assert facts.members_without_mfa == members.count_without_mfa(session, ada, ada.current.org_id) == 1


def test_no_organisation_facts_until_two_step_verification_is_set_up(engine):
    with Session(engine) as session:
        register(session)
        raw, ada = sign_in(session)
        enable_mfa(session, ada)
        mfa.set_requirement(session, sessions.resolve(session, raw), ada.current.org_id, required=True)
        register(session, "bob@example.com", company="Bob's", name="Bob")
        members.invite(session, sessions.resolve(session, raw), ada.current.org_id,
                       email="bob@example.com", role="member")
        session.commit()
        bob_raw, bob = sign_in(session, "bob@example.com")
        members.accept_as(session, bob, token_from(last_mail(session, "bob@example.com").body,
                                                   "/invitations/accept"))
        session.commit()
        bob = sessions.resolve(session, bob_raw)
        bob = dataclasses.replace(bob, active_org_id=ada.current.org_id)
        assert bob.needs_mfa_setup
        facts = dashboard.summary(session, bob)
        assert (facts.org_requires_mfa, facts.members_without_mfa) == (False, 0)
        assert facts.session_count == 1


def test_every_change_shows_on_the_next_event(engine):
    """Nothing is cached between events: each resolves afresh, so a role
    change, MFA, a revoked session and sign-out take effect at once."""
    def now(raw: str) -> Principal | None:  # what the next event sees, in its own transaction
        with Session(engine) as fresh:
            return sessions.resolve(fresh, raw)

    with Session(engine, expire_on_commit=False) as session:
        register(session)
        register(session, "bob@example.com", company="Bob's", name="Bob")
        _, ada = sign_in(session)
        org_id = ada.current.org_id
        members.invite(session, ada, org_id, email="bob@example.com", role="member")
        session.commit()
        phone, bob = sign_in(session, "bob@example.com")
        laptop, _ = sign_in(session, "bob@example.com")
        members.accept_as(session, bob, token_from(last_mail(session, "bob@example.com").body,
                                                   "/invitations/accept"))
        session.commit()
        assert now(phone).role_in(org_id) == "member"

        membership = session.exec(select(Membership).where(Membership.org_id == org_id,
                                                           Membership.user_id == bob.user_id)).one()
        members.change_role(session, ada, org_id, membership.id, role="admin")
        session.commit()
        assert now(phone).role_in(org_id) == "admin"

        enable_mfa(session, now(phone))
        assert now(phone).mfa_enabled and now(laptop).mfa_enabled

        sessions.revoke(session, now(phone), now(laptop).session_id)
        session.commit()
        assert now(laptop) is None and now(phone) is not None

        members.remove_member(session, ada, org_id, membership.id)
        session.commit()
        assert now(phone).role_in(org_id) is None

        sessions.end(session, phone)
        session.commit()
        assert now(phone) is None
