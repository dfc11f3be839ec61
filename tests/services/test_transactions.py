"""Services never commit: the caller's one transaction per action does.

Every service that used to commit on its own (so that a wrong password's
count outlived the rollback its error causes) is called here by an action
that has already written something. When the service fails, everything the
action wrote is rolled back, and the failure is still counted (and, for a
sign-in, audited) by the transaction boundary after its rollback. On SQLite
this also shows there is no second writer waiting on the action's own write
lock; on PostgreSQL, no second connection waiting on its row locks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from portal_app.db import session_scope
from portal_app.models import AuditEvent, Throttle, User
from portal_app.services import accounts, mfa, throttle
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from tests.factories import PASSWORD, act, enable_mfa, register, sign_in

EMAIL = "ada@example.com"
IP = "192.0.2.1"
WRONG = "wrong-password-123"


@dataclass(frozen=True)
class Failing:
    """A call that fails with a wrong secret, and the counter it must leave."""

    call: Callable[[Session, Principal, str], object]  # (session, principal, challenge) -> ...
    counter: str  # the throttle action whose per-account key counts the failure
    mfa_on: bool = False


def _complete_mfa(session: Session, principal: Principal, challenge: str) -> object:
    return accounts.complete_mfa(session, challenge=challenge, code="000000", ip=IP)


def _confirm_enrolment(session: Session, principal: Principal, challenge: str) -> object:
    return mfa.confirm_enrolment(session, principal, code="000000", ip=IP)


FORMER_COMMITTERS = {
    "login_with_password": Failing(
        lambda s, p, c: accounts.login_with_password(s, email=EMAIL, password=WRONG, ip=IP), "login"),
    "change_password": Failing(
        lambda s, p, c: accounts.change_password(s, p, current=WRONG, new="violet-canyon-drum-42", ip=IP),
        "password"),
    "request_email_change": Failing(
        lambda s, p, c: accounts.request_email_change(s, p, new_email="ada.new@example.com", password=WRONG, ip=IP),
        "email_change"),
    "complete_mfa (verify_or_count)": Failing(_complete_mfa, "mfa", mfa_on=True),
    "confirm_enrolment": Failing(_confirm_enrolment, "mfa"),
    "disable, wrong password": Failing(
        lambda s, p, c: mfa.disable(s, p, password=WRONG, code="000000", ip=IP), "password", mfa_on=True),
    "disable, wrong code": Failing(
        lambda s, p, c: mfa.disable(s, p, password=PASSWORD, code="000000", ip=IP), "mfa", mfa_on=True),
    "regenerate_recovery_codes": Failing(
        lambda s, p, c: mfa.regenerate_recovery_codes(s, p, code="000000", ip=IP), "mfa", mfa_on=True),
}


def _set_up(engine, failing: Failing) -> tuple[Principal, str]:
    """Ada, signed in; with MFA on (and a live sign-in challenge) or an
    enrolment started, as the call needs."""
    with Session(engine, expire_on_commit=False) as session:
        register(session)
        _, principal = sign_in(session)
        if failing.mfa_on:
            enable_mfa(session, principal)
        else:
            mfa.start_enrolment(session, principal)
            session.commit()
    challenge = ""
    if failing.mfa_on:
        step = act(engine, accounts.login_with_password, email=EMAIL, password=PASSWORD, ip=IP)
        challenge = step.mfa_challenge
    return principal, challenge


def _failures(session: Session, action: str) -> int:
    row = session.get(Throttle, throttle.account_key(action, EMAIL), populate_existing=True)
    return row.failures if row else 0


@pytest.mark.parametrize("name", list(FORMER_COMMITTERS))
def test_a_failing_call_after_a_write_rolls_the_write_back_and_still_counts(any_engine, name):
    failing = FORMER_COMMITTERS[name]
    principal, challenge = _set_up(any_engine, failing)
    with Session(any_engine) as session:
        before = _failures(session, failing.counter)

    with pytest.raises(PortalError) as err, session_scope(any_engine) as session:
        accounts.update_profile(session, principal, name="Half Written")  # the action writes first ...
        session.flush()
        failing.call(session, principal, challenge)  # ... then the former committer fails
    assert err.value.field in {"password", "current_password", "code"}

    with Session(any_engine) as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        assert user.name == "Ada Lovelace"  # nothing the action wrote was committed
        assert not session.exec(select(AuditEvent).where(AuditEvent.action == "account.profile_updated")).all()
        assert _failures(session, failing.counter) == before + 1  # but the failure counts
        if name == "login_with_password":
            assert session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in.failed")).one()


def test_wrong_passwords_still_lock_the_account_through_the_boundary(any_engine):
    with Session(any_engine) as session:
        register(session)
    free = throttle.PER_ACCOUNT.free
    for attempt in range(free + 1):
        with pytest.raises(accounts.LoginFailed):
            act(any_engine, accounts.login_with_password, email=EMAIL, password=f"{WRONG}-{attempt}",
                ip=f"198.51.100.{attempt}")
    with pytest.raises(throttle.RateLimited):
        act(any_engine, accounts.login_with_password, email=EMAIL, password=PASSWORD, ip="203.0.113.9")


def test_two_wrong_passwords_at_the_same_moment_both_count(any_engine):
    """Each counts in its own transaction after its rollback; the first
    failure for a key creates the counter row, and the other one must add to
    it rather than trip over it."""
    with Session(any_engine) as session:
        register(session)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def guess(n: int) -> None:
        barrier.wait()
        try:
            act(any_engine, accounts.login_with_password, email=EMAIL, password=f"{WRONG}-{n}", ip=f"198.51.100.{n}")
        except Exception as exc:  # noqa: BLE001 — the test looks at what each got
            outcomes.append(exc)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [type(o) for o in outcomes] == [accounts.LoginFailed, accounts.LoginFailed]
    with Session(any_engine) as session:
        assert _failures(session, "login") == 2


def test_a_failing_count_does_not_hide_the_actions_own_error(engine, caplog):
    """If the count itself cannot be written, the person still gets the
    action's answer (and the log says why the count is missing)."""

    def broken(_session: Session) -> None:
        raise RuntimeError("counter table gone")

    with pytest.raises(accounts.LoginFailed), session_scope(engine):
        raise accounts.LoginFailed(accounts.BAD_LOGIN).keeping(broken)
    assert "could not record what a failed action leaves behind" in caplog.text

