"""Scaled out (issue 12, Landing 5): two portal instances on two loopback
ports, one PostgreSQL database, one Redis and two job workers
(`two_instances`, tests/conftest.py), as several machines behind a reverse
proxy run it. A person signed in through one instance is signed in on the
other; a tab's state lives in Redis, so a reconnect that lands on the other
instance carries on (no sticky sessions needed); a job queued by one
instance runs once, and each mail goes out once however many workers race
for it.

Everything goes through the real processes: the websocket (tests/ws_client.py,
as the browser speaks it) and HTTP routes of each instance, the workers
delivering to a real SMTP server.

Still to come with the change signal (portal_app/integrations/live.py): a
change made by one person through `a` shows on another person's page open
on `b` within 2 s. The harness is ready for it: sign each in with
`sign_in_through`, hold the watcher's tab open on `b`, act through `a`, and
wait for the pushed update on the watcher's socket."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import make_engine, session_scope
from portal_app.jobs.mail import deliver_mail
from portal_app.models import OutgoingMail
from portal_app.services import sessions
from portal_app.services.mail import queue_mail
from portal_app.state.dashboard import DashboardState
from portal_app.state.password_reset import ForgotPasswordState
from portal_app.state.session import SessionState
from portal_app.state.sign_in import SignInState
from tests import factories
from tests.live_app import LiveApp
from tests.ws_client import ReflexClient, handler_name

pytestmark = pytest.mark.postgres

MAIL_TIMEOUT = 20.0  # workers poll Redis every 0.25 s at most; this is slack for a loaded machine


@pytest.fixture
def db(two_instances) -> Iterator[Engine]:
    """The instances' own database, for building people and reading rows."""
    engine = make_engine(two_instances.database_url)
    yield engine
    engine.dispose()


def _person(engine: Engine, prefix: str) -> tuple[str, str]:
    """A new confirmed person with their own organisation: (email, name)."""
    email, name = f"{prefix}-{time.monotonic_ns()}@example.com", prefix.title()
    with Session(engine) as session:
        factories.register(session, email, company=f"{name} Ltd", name=name)
    return email, name


def sign_in_through(app: LiveApp, email: str, password: str = factories.PASSWORD) -> str:
    """Sign in as the browser does, on `app` only: the sign-in form's event
    over its websocket, then the ticket (its binding half in a cookie, as the
    page's script sets it) exchanged at its /auth/complete. Returns the
    session cookie as a Cookie header."""
    with ReflexClient(app.url) as tab:
        tab.hydrate(routes.SIGN_IN)
        tab.call(handler_name(SignInState, "submit_password"), {"form": {"email": email, "password": password}})
        script = next(str(e["payload"]) for e in tab.last_events if "auth/complete" in str(e["payload"]))
    binding = re.search(re.escape(sessions.TICKET_BINDING_COOKIE) + r"=([^;\\]+);", script).group(1)
    target = json.loads(re.search(r"window\.location\.assign\((\"[^\"]+\")\)", script).group(1))
    answer = httpx.get(app.url + target, cookies={sessions.TICKET_BINDING_COOKIE: binding})
    assert answer.status_code == 303, answer.text
    return f"{sessions.COOKIE_BASE_NAME}={answer.cookies[sessions.COOKIE_BASE_NAME]}"


def _who(tab: ReflexClient) -> str:
    return tab.state()[SessionState.get_full_name()]["user_name_rx_state_"]


def _sent_once(engine: Engine, mail_ids: list[int], timeout: float = MAIL_TIMEOUT) -> list[OutgoingMail]:
    """The rows once every one is marked sent (a duplicate delivery would
    need a second claim, which counts an attempt)."""
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            rows = session.exec(select(OutgoingMail).where(OutgoingMail.id.in_(mail_ids))).all()
        if all(r.sent_at is not None for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_a_session_signed_in_through_a_works_on_b_and_ends_on_both(two_instances, db):
    a, b = two_instances.a, two_instances.b
    email, name = _person(db, "roaming")
    cookie = sign_in_through(a, email)
    with ReflexClient(b.url, cookie=cookie) as tab:
        tab.hydrate(routes.DASHBOARD)
        assert _who(tab) == name
        tab.call(handler_name(DashboardState, "load"))  # the portal's most frequent event, served by b
        assert tab.state()[DashboardState.get_full_name()]["session_count_rx_state_"] == 1
    signed_out = httpx.post(b.url + routes.AUTH_LOGOUT, headers={"Origin": b.url, "Cookie": cookie})
    assert signed_out.status_code == 303
    with ReflexClient(a.url, cookie=cookie) as tab:
        tab.hydrate(routes.DASHBOARD)
        assert _who(tab) == ""  # signed out on b: a knows it too
        assert any(routes.SIGN_IN in str(e) for e in tab.last_events)


def _token_released(redis_url: str, token: str, timeout: float = 5.0) -> bool:
    """Whether the instance that held `token` has dropped its claim in Redis.
    Reflex forgets a closed socket's token in a task after the disconnect;
    until then another instance takes the token as in use by a live tab and
    hands the reconnecting one a new token (and so a new, empty state)."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while client.exists(f"token_manager_socket_record_{token}"):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True
    finally:
        client.close()


def test_a_tab_carries_on_when_its_reconnect_lands_on_the_other_instance(two_instances):
    """No sticky sessions needed: a tab's Reflex state is in Redis, keyed by
    its client token, whichever instance its websocket reaches. Known limit
    (Reflex's): if `a` dies without closing the socket, its claim on the
    token stays in Redis until it expires, so the tab gets a new token on `b`
    and starts over (signed in still: the session is a cookie)."""
    with ReflexClient(two_instances.a.url) as tab_on_a:
        tab_on_a.hydrate(routes.SIGN_IN)
        tab_on_a.call(handler_name(SignInState, "set_mode"), {"mode": "link"})
        token = tab_on_a.token
    assert _token_released(two_instances.redis_url, token)
    with ReflexClient(two_instances.b.url, token=token) as tab_on_b:
        state = tab_on_b.hydrate(routes.FORGOT_PASSWORD)  # a page whose on_load leaves the sign-in form as it is
        assert tab_on_b.token == token  # the same tab, not a new one
    assert state[SignInState.get_full_name()]["mode_rx_state_"] == "link"


def test_a_job_queued_by_a_runs_once(two_instances, db):
    email, _ = _person(db, "forgetful")
    with ReflexClient(two_instances.a.url) as tab:
        tab.hydrate(routes.FORGOT_PASSWORD)
        tab.call(handler_name(ForgotPasswordState, "submit"), {"form": {"email": email}})
    with Session(db) as session:
        mail_id = factories.last_mail(session, email).id
    (row,) = _sent_once(db, [mail_id])
    assert row.sent_at is not None and row.attempts == 1
    resets = [m for m in two_instances.mail.to(email) if "/reset-password?token=" in m.get_payload()]
    assert len(resets) == 1


def test_two_workers_racing_for_the_same_mail_send_it_once(two_instances, db):
    """Each delivery job queued three times: the two workers (two threads
    each) take them at once, and the claim (a conditional UPDATE) lets one
    win per mail on PostgreSQL."""
    with session_scope(db) as session:  # each delivery job queued once when this commits...
        ids = [queue_mail(session, to=f"race{n}-{time.monotonic_ns()}@example.com", subject=f"Race {n}",
                          body="Hello").id for n in range(10)]
    for _ in range(2):  # ...and twice more
        for mail_id in ids:
            deliver_mail(mail_id)
    rows = _sent_once(db, ids)
    assert [r.attempts for r in rows] == [1] * len(ids) and all(r.sent_at for r in rows)
    for row in rows:
        assert len(two_instances.mail.to(row.to_address)) == 1
