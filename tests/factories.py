"""Building test data through the real services (never by writing rows the
services would refuse), and reading links back out of the mail outbox."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal_app.db import session_scope
from portal_app.models import OutgoingMail, User
from portal_app.services import accounts, mfa, sessions
from portal_app.services.principal import Principal

PASSWORD = "plum-orbit-kettle-7"
T = TypeVar("T")


def act(engine: Engine, fn: Callable[..., T], *args, **kwargs) -> T:
    """Call a service as one action, the way the state's `_act`, the API
    routes and the CLI do (`db.session_scope`): committed when it succeeds,
    rolled back when it raises, and what the failure leaves behind (a wrong
    guess's count) committed after the rollback."""
    with session_scope(engine) as session:
        return fn(session, *args, **kwargs)


def last_mail(session: Session, to: str) -> OutgoingMail:
    mail = session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to)
                        .order_by(OutgoingMail.id.desc())).first()
    assert mail is not None, f"no mail to {to}"
    return mail


def token_from(body: str, path: str) -> str:
    match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", body)
    assert match, f"no {path} link in:\n{body}"
    return match.group(1)


def register(session: Session, email: str = "ada@example.com", *, company: str = "Analytical Engines",
             name: str = "Ada Lovelace", verified: bool = True) -> User:
    accounts.register(session, name=name, email=email, password=PASSWORD, company=company)
    if verified:
        accounts.verify_email(session, token_from(last_mail(session, email).body, "/verify-email"))
    session.commit()
    return session.exec(select(User).where(User.email == email)).one()


def sign_in(session: Session, email: str = "ada@example.com", *, ip: str = "192.0.2.1",
            user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
            password: str = PASSWORD) -> tuple[str, Principal]:
    """A real session through password (-> MFA code) -> ticket -> cookie token."""
    step = accounts.login_with_password(session, email=email, password=password, ip=ip)
    ticket = step.ticket or accounts.complete_mfa(session, challenge=step.mfa_challenge,
                                                  code=totp_code(session, email), ip=ip)
    raw = accounts.complete_login(session, ticket, ip=ip, user_agent=user_agent)
    session.commit()
    principal = sessions.resolve(session, raw)
    assert principal is not None
    return raw, principal


def totp_code(session: Session, email: str, *, offset_steps: int = 0) -> str:
    """The code an authenticator app would show now for this person; one
    not accepted before (a test may need several in one 30-second step)."""
    import time

    import pyotp

    user = session.exec(select(User).where(User.email == email)).one()
    session.refresh(user)
    secret = mfa._open(user.mfa_secret or user.mfa_pending_secret)
    step = max(int(time.time()) // mfa.STEP_SECONDS + offset_steps, user.mfa_last_step + 1)
    return pyotp.TOTP(secret).at(step * mfa.STEP_SECONDS)


def enable_mfa(session: Session, principal: Principal) -> list[str]:
    mfa.start_enrolment(session, principal)
    codes = mfa.confirm_enrolment(session, principal, code=totp_code(session, principal.email), ip="192.0.2.1")
    session.commit()
    return codes


def ada_and_eve(session: Session) -> tuple[Principal, Principal]:
    """The two organisations many tests start from: Ada owns Analytical
    Engines, Eve owns Eve Ltd; both signed in."""
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    return sign_in(session)[1], sign_in(session, "eve@example.com")[1]


def ours_and_theirs(session: Session) -> dict[str, Principal]:
    """The two organisations the support tests start from: Olive owns Ours,
    Theo owns Theirs; both signed in (keys "owner" and "theirs")."""
    register(session, "olive@example.com", company="Ours", name="Olive Owner")
    register(session, "theo@example.com", company="Theirs", name="Theo Theirs")
    return {"owner": sign_in(session, "olive@example.com")[1], "theirs": sign_in(session, "theo@example.com")[1]}


def staff_admin(session: Session, email: str = "root@example.com", name: str = "Root") -> Principal:
    """A staff admin with two-step verification set up, as staff must have."""
    from portal_app.services import staff
    from portal_app.services.principal import principal_for_user

    user, _ = staff.create_admin(session, email=email, name=name, password="staff-quartz-lantern-93")
    session.commit()
    enable_mfa(session, principal_for_user(session, user, None))
    return principal_for_user(session, user, None)


def staff_member(session: Session, admin: Principal, role: str, email: str = "") -> Principal:
    """Staff of `role` (agent, billing) added by a staff admin, with two-step
    verification set up, as staff must have."""
    from portal_app.services import staff
    from portal_app.services.principal import principal_for_user

    user = staff.add_staff(session, admin, name=f"{role.title()} Staff", email=email or f"{role}-staff@example.com",
                           role=role)
    session.commit()
    enable_mfa(session, principal_for_user(session, user, None))
    return principal_for_user(session, user, None)


def rename_organization(session: Session, principal: Principal, name: object, org_id: object = None):
    """Rename through the one way there is: the profile form, every other
    field as it was."""
    from portal_app.services import org_profile

    org_id = principal.current.org_id if org_id is None else org_id
    now = org_profile.get_profile(session, principal, org_id)
    return org_profile.update_profile(session, principal, org_id, name=name, legal_name=now.legal_name,
                                      address=now.address, tax_id=now.tax_id, billing_email=now.billing_email)


def run_async(coroutine):  # noqa: ANN001, ANN201
    """`asyncio.run` on a thread of its own: the browser tests' session-wide
    Playwright keeps an event loop running on the main thread, where
    `asyncio.run` refuses to start another."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@contextmanager
def statements(bind: Engine | Session) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block (through
    this engine, or this session's): how tests prove a page costs a constant
    number of statements however many rows it shows."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def at_once(engine: Engine, action: Callable[[Session, int], object], runs: int) -> list[object]:
    """`action(session, n)` in `runs` threads released together, each in its
    own session (committed when it returns): what each returned, or the
    exception it raised, in no particular order. For proving that two
    requests racing on PostgreSQL do something once."""
    import threading

    barrier = threading.Barrier(runs)
    results: list[object] = []

    def run(n: int) -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                result = action(session, n)
                session.commit()
            results.append(result)
        except BaseException as exc:  # noqa: BLE001 — the caller asserts on it
            results.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
