"""Server-side sessions: resolution, expiry, listing and signing out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import LoginSession
from portal_app.models.base import utcnow
from portal_app.services import sessions
from portal_app.services.errors import NotFound
from tests.factories import register, sign_in
from tests.permissions import Permission, permission_tests, snapshot


def _switched(session: Session, actor, org_id: int, result) -> None:
    assert session.get(LoginSession, actor.session_id).active_org_id == org_id


test_switch_permissions = permission_tests(
    Permission("switch_organization", lambda s, p, org_id: sessions.switch_organization(s, p, org_id),
               ("owner", "admin", "billing", "member"), check=_switched),
)


def _age(session: Session, raw: str, **fields) -> None:
    from portal_app.services.tokens import hash_secret
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == hash_secret(raw))).one()
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()


def test_resolve_gives_the_principal_with_memberships(any_engine):
    with Session(any_engine) as session:
        register(session)
        raw, principal = sign_in(session)
        assert principal.email == "ada@example.com" and principal.email_verified
        assert principal.current.role == "owner" and principal.current.org_name == "Analytical Engines"
        assert principal.role_in(principal.current.org_id) == "owner"
        assert principal.role_in(str(principal.current.org_id)) is None


@pytest.mark.parametrize("raw", [None, "", "garbage", "x" * 10_000, 12, ["a"]])
def test_resolve_refuses_bogus_tokens(session, raw):
    assert sessions.resolve(session, raw) is None


def test_idle_session_expires(session):
    register(session)
    raw, _ = sign_in(session)
    _age(session, raw, last_seen_at=utcnow() - sessions.idle_timeout() - timedelta(seconds=1))
    assert sessions.resolve(session, raw) is None


def test_activity_keeps_a_session_alive_until_its_absolute_expiry(session):
    register(session)
    raw, _ = sign_in(session)
    _age(session, raw, last_seen_at=utcnow() - sessions.idle_timeout() + timedelta(minutes=5))
    assert sessions.resolve(session, raw) is not None  # and this touched last_seen
    session.commit()
    assert sessions.resolve(session, raw) is not None
    _age(session, raw, expires_at=utcnow() - timedelta(seconds=1))
    assert sessions.resolve(session, raw) is None


def test_logout_ends_the_session_on_the_server(session):
    register(session)
    raw, _ = sign_in(session)
    sessions.end(session, raw)
    assert sessions.resolve(session, raw) is None


def test_session_list_shows_device_ip_and_marks_this_one(session):
    register(session)
    sign_in(session, ip="192.0.2.2", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1")
    _, principal = sign_in(session, ip="192.0.2.1")
    listed = sessions.list_for(session, principal)
    assert [(s.device, s.ip, s.current) for s in sorted(listed, key=lambda s: s.ip)] == [
        ("Chrome on Linux", "192.0.2.1", True), ("Safari on iPhone", "192.0.2.2", False)]


def test_sign_out_other_sessions_keeps_this_one(session):
    register(session)
    other, _ = sign_in(session, ip="192.0.2.2")
    here, principal = sign_in(session)
    assert sessions.revoke_others(session, principal) == 1
    assert sessions.resolve(session, other) is None and sessions.resolve(session, here) is not None


def test_cannot_revoke_someone_elses_session(session):
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    ada_raw, ada = sign_in(session)
    eve_raw, eve = sign_in(session, "eve@example.com")
    assert ada.session_id == 1  # so True, a float or a string would name it if taken as an id
    before = snapshot(session)
    for bogus in (eve.session_id, 999_999, "1", None, True, 1.0, float(eve.session_id)):
        with pytest.raises(NotFound):
            sessions.revoke(session, ada, bogus)
    assert snapshot(session) == before
    assert sessions.resolve(session, eve_raw) is not None and sessions.resolve(session, ada_raw) is not None
    sessions.revoke(session, eve, eve.session_id)
    assert sessions.resolve(session, eve_raw) is None


def _later(monkeypatch, **delta) -> None:
    """Move the sessions service's clock forward (its `utcnow`), as time passing would."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(sessions, "utcnow", lambda: moved)


@pytest.fixture
def staff_and_customer(session):
    from portal_app.services import staff
    staff.create_admin(session, email="root@example.com", name="Root", password="staff-quartz-lantern-93")
    register(session)
    session.commit()
    staff_raw = sign_in_raw(session, "root@example.com", "staff-quartz-lantern-93")
    customer_raw, _ = sign_in(session)
    return staff_raw, customer_raw


def sign_in_raw(session, email: str, password: str) -> str:
    """A session token for someone without MFA (the factory's needs an organisation)."""
    from portal_app.services import accounts
    step = accounts.login_with_password(session, email=email, password=password, ip="192.0.2.1")
    raw = accounts.complete_login(session, step.ticket, ip="192.0.2.1", user_agent="test")
    session.commit()
    return raw


def test_staff_sessions_default_to_thirty_idle_minutes_and_twelve_hours():
    assert sessions.idle_timeout(staff=True) == timedelta(minutes=30)
    assert sessions.max_age(staff=True) == timedelta(hours=12)
    assert sessions.idle_timeout() == timedelta(minutes=480) and sessions.max_age() == timedelta(hours=336)


def test_a_staff_session_ends_after_thirty_idle_minutes_a_customer_one_does_not(session, monkeypatch,
                                                                                 staff_and_customer):
    staff_raw, customer_raw = staff_and_customer
    _later(monkeypatch, minutes=29)
    assert sessions.resolve(session, staff_raw) is not None  # activity: last seen moves to now
    session.commit()
    _later(monkeypatch, minutes=29 + 31)
    assert sessions.resolve(session, staff_raw) is None
    assert sessions.resolve(session, customer_raw) is not None


def test_a_busy_staff_session_still_ends_after_twelve_hours(session, monkeypatch, staff_and_customer):
    staff_raw, customer_raw = staff_and_customer
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes all day
        _later(monkeypatch, minutes=minutes)
        assert sessions.resolve(session, staff_raw) is not None, minutes
        assert sessions.resolve(session, customer_raw) is not None
        session.commit()
    _later(monkeypatch, hours=12, seconds=1)
    assert sessions.resolve(session, staff_raw) is None
    assert sessions.resolve(session, customer_raw) is not None


def test_someone_made_staff_while_signed_in_gets_staff_limits(session, monkeypatch):
    from portal_app.models import User
    register(session)
    raw, _ = sign_in(session)
    user = session.exec(select(User).where(User.email == "ada@example.com")).one()
    user.staff_role = "agent"
    session.add(user)
    session.commit()
    _later(monkeypatch, minutes=31)
    assert sessions.resolve(session, raw) is None


def test_staff_limits_come_from_their_own_settings(monkeypatch):
    from portal_app.settings import load_settings
    monkeypatch.setenv("PORTAL_STAFF_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("PORTAL_STAFF_SESSION_MAX_HOURS", "8")
    monkeypatch.setattr("portal_app.services.sessions.get_settings", load_settings)
    assert sessions.idle_timeout(staff=True) == timedelta(minutes=15)
    assert sessions.max_age(staff=True) == timedelta(hours=8)
